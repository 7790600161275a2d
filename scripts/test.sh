#!/usr/bin/env bash
# Runs the whole test suite on real infrastructure, setting up what it needs:
#   Node 24 + pnpm (scripts/toolchain.sh), dependencies from the lockfile, a local Kafka broker
#   (infra/kafka; skipped when KAFKA_BROKERS names one), a check that PostgreSQL answers, and
#   Chromium for the console's browser tests (scripts/chromium.sh).
# Extra arguments go to vitest, e.g. `scripts/test.sh --project unit`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/toolchain.sh || exit 1
pnpm install --frozen-lockfile --reporter=silent || exit 1

started_kafka=""
cleanup() { [ -n "$started_kafka" ] && infra/kafka/kafka.sh stop >/dev/null 2>&1; }
trap cleanup EXIT INT TERM
if [ -z "${KAFKA_BROKERS:-}" ]; then
  if ! infra/kafka/kafka.sh status >/dev/null 2>&1; then
    infra/kafka/kafka.sh start || { echo "to use a broker that is already running, set KAFKA_BROKERS=host:port" >&2; exit 1; }
    started_kafka=1
  fi
  export KAFKA_BROKERS="localhost:${KAFKA_PORT:-9092}"
fi

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# pg resolves from the store package, which depends on it.
(cd packages/store && node -e "
  const c = new (require('pg').Client)(process.env.TEST_DATABASE_URL);
  c.connect().then(() => c.end(), (e) => { console.error('PostgreSQL at ' + process.env.TEST_DATABASE_URL + ' does not answer: ' + e.message); process.exit(1); });
") || exit 1

scripts/chromium.sh || exit 1

mkdir -p .test-results
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json "$@"
status=$?
node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(".test-results/vitest.json", "utf8"));
    // A file that fails outside its tests (a hook, an import) fails no test: count it as one.
    const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  } catch { console.log("0 passed, 1 failed"); }
'
exit $status
