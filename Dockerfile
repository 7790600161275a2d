# syntax=docker/dockerfile:1
#
# Vigil detector image: Node 24 runs the TypeScript sources directly (type stripping), so there is
# no build step. The first stage installs the production dependencies of @vigil/detector and of
# the workspace packages it imports; the final stage is node:24-slim, running as `node`.
#
#   docker build -t vigil .
#   docker run --rm -p 8080:8080 -e AUTH_JWT_SECRET=... -e KAFKA_BROKERS=... -e DATABASE_URL=... vigil
#
# Why not `pnpm deploy`: it copies workspace packages into node_modules, and Node refuses to strip
# types from files under node_modules (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING). A filtered
# workspace install keeps them as symlinks to packages/*, exactly as in development.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS deps
# The version pinned by package.json's packageManager field (and scripts/toolchain.sh).
ARG PNPM_VERSION=12.4.2
RUN npm install --global --no-audit --no-fund --loglevel=error "pnpm@${PNPM_VERSION}"
WORKDIR /app
# `pnpm fetch` needs only the lockfile (and the workspace settings), so this layer stays cached
# until the dependencies themselves change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --prod
COPY . .
# Only the detector and its workspace dependencies (`...`), production dependencies only, from the
# packages fetched above.
RUN pnpm install --offline --frozen-lockfile --prod --filter "@vigil/detector..."

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/var/lib/vigil
WORKDIR /app
# Owned by root and read-only for the service user; only DATA_DIR (the embedded PGlite store, used
# when DATABASE_URL is unset) is writable. Mount a volume there to keep that data.
COPY --from=deps /app /app
RUN mkdir -p /var/lib/vigil && chown node:node /var/lib/vigil
USER node
EXPOSE 8080
# node:*-slim has no curl; Node's fetch does the probe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Memory (docs/performance.md): a young generation of 2 x 16 MiB instead of V8's 2 x 64 MiB (~90 MiB
# less RSS for ~5 % more CPU); the old generation capped at 256 MiB (batches are processed in slices,
# so the live heap stays near 100 MiB), and allowed to grow to 3 x what survived the last full GC
# (with a cap under 2 GiB V8 grows it by only 1.3 x, and full GCs took ~a third of the CPU); two
# malloc arenas instead of 8 per core (the API's thread and libuv's threads each took one).
ENV MALLOC_ARENA_MAX=2
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=256", "--heap-growing-percent=200", "services/detector/src/main.ts"]
