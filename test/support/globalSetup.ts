/**
 * Vitest globalSetup for the `integration` project: makes sure there is a Kafka broker and a
 * PostgreSQL server for the tests, choosing with `chooseInfrastructure` (test/support/brokers.ts):
 *
 * - external (KAFKA_BROKERS / TEST_DATABASE_URL set, as scripts/test.sh does): nothing is started
 *   and nothing is changed;
 * - testcontainers (the variable is unset and a Docker engine answers): a container is started
 *   here, its address is put into `process.env` (KAFKA_BROKERS / TEST_DATABASE_URL), and it is
 *   stopped in the teardown;
 * - default (PostgreSQL only, no Docker): the machine's server at the default URL, as before;
 * - unavailable (Kafka only, no Docker): the run stops here with the reason.
 *
 * How the addresses reach the tests: the test helpers (test/support/kafka.ts,
 * @vigil/store/testing) read `process.env` when their module loads in the worker. In Vitest 4 all
 * globalSetup files run before the pool starts any worker, and each worker's environment is built
 * from `{ ...process.env, ...config.env }` at that moment (checked in vitest 4.1's pool code), so
 * variables set here are inherited by every worker. Vitest's documented channel for values from
 * globalSetup is `project.provide()` / `inject()`; it is not needed while the helpers read env.
 */
import {
  chooseInfrastructure,
  dockerAvailable,
  type Infrastructure,
  type KafkaChoice,
  type PostgresChoice,
} from "./brokers.ts";

/**
 * testcontainers' KafkaContainer (v12) drives Confluent's cp-kafka images (it runs their
 * /etc/confluent/docker/run); 8.x tags run in KRaft mode, which withKraft() also asks for
 * explicitly. 8.2.0 is the image the module's own test suite uses.
 */
const KAFKA_IMAGE = process.env.TEST_KAFKA_IMAGE || "confluentinc/cp-kafka:8.2.0";
const POSTGRES_IMAGE = process.env.TEST_POSTGRES_IMAGE || "postgres:17";
/** The plaintext listener KafkaContainer publishes for clients outside the container network. */
const KAFKA_CLIENT_PORT = 9093;

interface Started {
  stop(): Promise<unknown>;
}

export default async function setup(): Promise<() => Promise<void>> {
  const choice = await decide();
  console.log(`integration infrastructure: ${describe(choice)}`);
  if (choice.kafka.kind === "unavailable") throw new Error(choice.kafka.reason);

  const previous = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    TEST_DATABASE_URL: process.env.TEST_DATABASE_URL,
  };
  const started: Started[] = [];
  const starting: Promise<void>[] = [];
  if (choice.kafka.kind === "testcontainers") {
    starting.push(
      startKafka().then(({ container, brokers }) => {
        started.push(container);
        process.env.KAFKA_BROKERS = brokers;
      }),
    );
  }
  if (choice.postgres.kind === "testcontainers") {
    starting.push(
      startPostgres().then(({ container, url }) => {
        started.push(container);
        process.env.TEST_DATABASE_URL = url;
      }),
    );
  }

  const teardown = async () => {
    await Promise.allSettled(started.map((container) => container.stop()));
    started.length = 0;
    restore("KAFKA_BROKERS", previous.KAFKA_BROKERS);
    restore("TEST_DATABASE_URL", previous.TEST_DATABASE_URL);
  };

  const results = await Promise.allSettled(starting);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) {
    await teardown();
    throw failure.reason;
  }
  if (started.length > 0) {
    console.log(
      `integration infrastructure: KAFKA_BROKERS=${process.env.KAFKA_BROKERS ?? ""} ` +
        `TEST_DATABASE_URL=${redact(process.env.TEST_DATABASE_URL ?? "")}`,
    );
  }
  return teardown;
}

/** Asks Docker only when the answer can change the choice (something is not given). */
async function decide(): Promise<Infrastructure> {
  const ifDocker = chooseInfrastructure(process.env, true);
  const needsDocker = ifDocker.kafka.kind === "testcontainers" || ifDocker.postgres.kind === "testcontainers";
  return needsDocker ? chooseInfrastructure(process.env, await dockerAvailable()) : ifDocker;
}

async function startKafka(): Promise<{ container: Started; brokers: string }> {
  const { KafkaContainer } = await import("@testcontainers/kafka");
  const container = await new KafkaContainer(KAFKA_IMAGE)
    .withKraft()
    // The module sets the transaction log's min ISR to 1 but leaves its replication factor at
    // Kafka's default of 3, which one broker can never satisfy; Vigil's consumer uses transactions.
    .withEnvironment({
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
    })
    .start();
  return { container, brokers: `${container.getHost()}:${container.getMappedPort(KAFKA_CLIENT_PORT)}` };
}

async function startPostgres(): Promise<{ container: Started; url: string }> {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  // Its user is the superuser, which the tests need: every test creates and drops its own database.
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).start();
  return { container, url: container.getConnectionUri() };
}

function restore(name: "KAFKA_BROKERS" | "TEST_DATABASE_URL", value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function describe({ kafka, postgres }: Infrastructure): string {
  return `kafka ${describeKafka(kafka)}, postgres ${describePostgres(postgres)}`;
}

function describeKafka(kafka: KafkaChoice): string {
  switch (kafka.kind) {
    case "external":
      return `external (${kafka.brokers.join(",")})`;
    case "testcontainers":
      return `testcontainers (${KAFKA_IMAGE})`;
    case "unavailable":
      return "unavailable";
  }
}

function describePostgres(postgres: PostgresChoice): string {
  switch (postgres.kind) {
    case "external":
      return `external (${redact(postgres.url)})`;
    case "testcontainers":
      return `testcontainers (${POSTGRES_IMAGE})`;
    case "default":
      return `machine default (${postgres.url})`;
  }
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
