#!/usr/bin/env bash
# Packs the publishable packages (@vigil/events, @vigil/producer) exactly as `pnpm publish` would
# (publishConfig applied, workspace: versions replaced) and checks each tarball with publint and
# Are the Types Wrong. ESM only: CommonJS callers load them with import(). Fails on any problem.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

status=0
for package in packages/events packages/producer; do
  (cd "$package" && pnpm pack --pack-destination "$out" >/dev/null)
done
for tarball in "$out"/*.tgz; do
  echo "check-packages: $(basename "$tarball")"
  pnpm exec publint run "$tarball" --strict || status=1
  pnpm exec attw "$tarball" --profile esm-only --format table-flipped || status=1
done
exit $status
