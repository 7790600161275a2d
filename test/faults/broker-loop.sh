#!/usr/bin/env bash
# Runs the broker fault test (test/faults/broker.test.ts) N times in a row (default 10) and prints
# how many passed, last, as "N of 10 passed". Not part of CI: a measurement of how reliably Vigil
# heals from broker restarts. Needs the shared broker (KAFKA_BROKERS, for the reference run) and
# PostgreSQL; the test starts and stops its own broker on port 19092.
set -u
cd "$(dirname "$0")/../.."
. scripts/toolchain.sh
runs="${1:-10}"
logs="${BROKER_LOOP_LOGS:-/tmp/vigil-broker-loop}"
mkdir -p "$logs"
export KAFKA_BROKERS="${KAFKA_BROKERS:-localhost:9092}"
passed=0
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  if pnpm exec vitest run test/faults/broker.test.ts >"$logs/run-$i.log" 2>&1; then
    passed=$((passed + 1))
    result=passed
  else
    result="FAILED (see $logs/run-$i.log)"
  fi
  echo "run $i: $result in $(($(date +%s) - started)) s"
done
echo "$passed of $runs passed"
