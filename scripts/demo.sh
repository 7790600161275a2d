#!/usr/bin/env bash
# The live demo on the embedded default: starts the local Kafka broker, starts Vigil on PGlite
# (data under .vigil/demo), feeds it a realistic stream with a takeover among it, shows the flags
# being raised and how to look at them. Ctrl-C stops Vigil and the broker. `--once` exits at the end.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/toolchain.sh || exit 1
pnpm install --frozen-lockfile --reporter=silent || exit 1

mkdir -p .vigil
[ -s .vigil/demo-secret ] || node -e "console.log(require('crypto').randomBytes(32).toString('hex'))" >.vigil/demo-secret
export AUTH_JWT_SECRET="$(cat .vigil/demo-secret)"
export DATA_DIR="${DATA_DIR:-.vigil/demo}" PORT="${PORT:-8080}" LOG_LEVEL="${LOG_LEVEL:-warn}"

started_kafka=""
service_pid=""
cleanup() {
  [ -n "$service_pid" ] && kill -TERM "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  [ -n "$started_kafka" ] && infra/kafka/kafka.sh stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${KAFKA_BROKERS:-}" ]; then
  if ! infra/kafka/kafka.sh status >/dev/null 2>&1; then
    infra/kafka/kafka.sh start || { echo "to use a broker that is already running, set KAFKA_BROKERS=host:port" >&2; exit 1; }
    started_kafka=1
  fi
  export KAFKA_BROKERS="localhost:${KAFKA_PORT:-9092}"
fi

echo "demo: starting Vigil on http://localhost:$PORT (embedded database in $DATA_DIR, log in .vigil/demo.log)"
MALLOC_ARENA_MAX=2 node --max-semi-space-size=16 --max-old-space-size=256 --heap-growing-percent=200 services/detector/src/main.ts >.vigil/demo.log 2>&1 &
service_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://localhost:$PORT/readyz" >/dev/null && break
  kill -0 "$service_pid" 2>/dev/null || { echo "demo: Vigil stopped; see .vigil/demo.log"; tail -n 20 .vigil/demo.log; exit 1; }
  sleep 0.5
done
curl -sf "http://localhost:$PORT/readyz" >/dev/null || { echo "demo: Vigil did not become ready; see .vigil/demo.log"; exit 1; }

token="$(node services/detector/src/token.ts --sub demo-analyst --scope "flags:read flags:write audit:read" --ttl 86400)"
DEMO_TOKEN="$token" node packages/simulator/src/demo.ts --api "http://localhost:$PORT" || exit 1

cat <<TXT

demo: the analyst console: open http://localhost:$PORT/console and paste this token (valid for a day):
  $token

demo: or look around with curl:
  export TOKEN=$token
  curl -s -H "Authorization: Bearer \$TOKEN" 'http://localhost:$PORT/v1/flags?minSeverity=high' | head -c 2000
  curl -s http://localhost:$PORT/metrics | grep ^vigil_
  curl -s http://localhost:$PORT/openapi.json | head -c 400
TXT
if [ "${1:-}" = "--once" ]; then exit 0; fi
echo "demo: Vigil keeps running; Ctrl-C stops it and the broker."
wait "$service_pid"
