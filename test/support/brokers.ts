import { existsSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";

/**
 * Where the integration tests get Kafka and PostgreSQL from. Decided once per run by
 * `test/support/globalSetup.ts`, from the environment and from whether a Docker engine answers:
 *
 * - Kafka: `KAFKA_BROKERS` (an external broker, e.g. the one scripts/test.sh starts) first; else a
 *   Kafka container when Docker is available; else the run cannot go on.
 * - PostgreSQL: `TEST_DATABASE_URL` first; else a PostgreSQL container when Docker is available;
 *   else the machine's own server at the default URL (what scripts/test.sh checks for).
 */
export type KafkaChoice =
  | { kind: "external"; brokers: string[] }
  | { kind: "testcontainers" }
  | { kind: "unavailable"; reason: string };

export type PostgresChoice =
  | { kind: "external"; url: string }
  | { kind: "testcontainers" }
  | { kind: "default"; url: string };

export interface Infrastructure {
  kafka: KafkaChoice;
  postgres: PostgresChoice;
}

/** The PostgreSQL the tests use when nothing else is given (same default as @vigil/store/testing). */
export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export const KAFKA_UNAVAILABLE_REASON =
  "no Kafka broker for the integration tests: KAFKA_BROKERS is not set and no Docker engine answers " +
  "(so testcontainers cannot start one). Run scripts/test.sh, which starts the local broker " +
  "(infra/kafka) and sets KAFKA_BROKERS, or set KAFKA_BROKERS=host:port to a running broker.";

/** Pure: the same inputs always give the same choice. Blank variables count as unset. */
export function chooseInfrastructure(
  env: Record<string, string | undefined>,
  dockerAvailable: boolean,
): Infrastructure {
  const brokers = (env.KAFKA_BROKERS ?? "")
    .split(",")
    .map((broker) => broker.trim())
    .filter(Boolean);
  const kafka: KafkaChoice =
    brokers.length > 0
      ? { kind: "external", brokers }
      : dockerAvailable
        ? { kind: "testcontainers" }
        : { kind: "unavailable", reason: KAFKA_UNAVAILABLE_REASON };

  const url = env.TEST_DATABASE_URL?.trim();
  const postgres: PostgresChoice = url
    ? { kind: "external", url }
    : dockerAvailable
      ? { kind: "testcontainers" }
      : { kind: "default", url: DEFAULT_TEST_DATABASE_URL };

  return { kafka, postgres };
}

/**
 * Whether testcontainers' own discovery could find an engine at all: the places its strategies
 * look (testcontainers v12: `~/.testcontainers.properties`, DOCKER_HOST, /var/run/docker.sock, the
 * rootless and Docker Desktop sockets, Windows' named pipe). Cheap, no I/O beyond `existsSync`,
 * so machines without Docker never load testcontainers.
 */
export function dockerCandidatePresent(
  env: Record<string, string | undefined> = process.env,
  exists: (path: string) => boolean = existsSync,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.DOCKER_HOST) return true;
  if (platform === "win32") return true;
  let home: string;
  let uid: number;
  try {
    home = homedir();
    uid = userInfo().uid;
  } catch {
    return exists("/var/run/docker.sock");
  }
  const candidates = [
    join(home, ".testcontainers.properties"),
    "/var/run/docker.sock",
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, "docker.sock") : undefined,
    join(home, ".docker", "run", "docker.sock"),
    join(home, ".docker", "desktop", "docker.sock"),
    `/run/user/${uid}/docker.sock`,
  ];
  return candidates.some((path) => path !== undefined && exists(path));
}

/**
 * True when a Docker engine answers. First the cheap check above; then testcontainers'
 * `getContainerRuntimeClient()` (the same discovery `GenericContainer.start()` uses, which asks
 * the engine for its info), bounded by `timeoutMs` so a dead socket or a stalled remote engine
 * never hangs the test run. Never throws.
 *
 * Measured here: no candidate → false in ~1 ms; DOCKER_HOST at a closed port or a missing socket →
 * false in < 2 s; an endpoint that accepts but never answers → false at `timeoutMs`. In that last
 * case testcontainers' request stays open and keeps the process alive; Vitest ends its main
 * process anyway after `teardownTimeout` (10 s by default).
 */
export async function dockerAvailable(timeoutMs = 3_000): Promise<boolean> {
  if (!dockerCandidatePresent()) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const probe = import("testcontainers").then(
    async ({ getContainerRuntimeClient }) => {
      await getContainerRuntimeClient();
      return true;
    },
    () => false,
  );
  try {
    return await Promise.race([probe.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
