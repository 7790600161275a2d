import { describe, expect, it } from "vitest";
import {
  chooseInfrastructure,
  DEFAULT_TEST_DATABASE_URL,
  dockerAvailable,
  dockerCandidatePresent,
  type Infrastructure,
  KAFKA_UNAVAILABLE_REASON,
} from "./brokers.ts";

const BROKERS = "broker-a:9092,broker-b:9092";
const DB = "postgres://vigil:secret@db.example:5432/vigil";

describe("chooseInfrastructure: every combination of KAFKA_BROKERS, TEST_DATABASE_URL and Docker", () => {
  const cases: [string, Record<string, string | undefined>, boolean, Infrastructure][] = [
    [
      "both given, Docker up: the given ones win, nothing is started",
      { KAFKA_BROKERS: BROKERS, TEST_DATABASE_URL: DB },
      true,
      {
        kafka: { kind: "external", brokers: ["broker-a:9092", "broker-b:9092"] },
        postgres: { kind: "external", url: DB },
      },
    ],
    [
      "both given, no Docker",
      { KAFKA_BROKERS: BROKERS, TEST_DATABASE_URL: DB },
      false,
      {
        kafka: { kind: "external", brokers: ["broker-a:9092", "broker-b:9092"] },
        postgres: { kind: "external", url: DB },
      },
    ],
    [
      "only brokers given, Docker up: PostgreSQL from a container",
      { KAFKA_BROKERS: BROKERS },
      true,
      {
        kafka: { kind: "external", brokers: ["broker-a:9092", "broker-b:9092"] },
        postgres: { kind: "testcontainers" },
      },
    ],
    [
      "only brokers given, no Docker: the machine's PostgreSQL (what scripts/test.sh sets up)",
      { KAFKA_BROKERS: BROKERS },
      false,
      {
        kafka: { kind: "external", brokers: ["broker-a:9092", "broker-b:9092"] },
        postgres: { kind: "default", url: DEFAULT_TEST_DATABASE_URL },
      },
    ],
    [
      "only a database given, Docker up: Kafka from a container",
      { TEST_DATABASE_URL: DB },
      true,
      { kafka: { kind: "testcontainers" }, postgres: { kind: "external", url: DB } },
    ],
    [
      "only a database given, no Docker: no Kafka",
      { TEST_DATABASE_URL: DB },
      false,
      {
        kafka: { kind: "unavailable", reason: KAFKA_UNAVAILABLE_REASON },
        postgres: { kind: "external", url: DB },
      },
    ],
    [
      "nothing given, Docker up: both from containers",
      {},
      true,
      { kafka: { kind: "testcontainers" }, postgres: { kind: "testcontainers" } },
    ],
    [
      "nothing given, no Docker: no Kafka, the default PostgreSQL",
      {},
      false,
      {
        kafka: { kind: "unavailable", reason: KAFKA_UNAVAILABLE_REASON },
        postgres: { kind: "default", url: DEFAULT_TEST_DATABASE_URL },
      },
    ],
  ];

  it.each(cases)("%s", (_name, env, docker, expected) => {
    expect(chooseInfrastructure(env, docker)).toEqual(expected);
  });
});

describe("chooseInfrastructure: details", () => {
  it("parses KAFKA_BROKERS like the service does: trimmed, empty entries dropped", () => {
    expect(chooseInfrastructure({ KAFKA_BROKERS: " localhost:9092 , ,other:9093," }, false).kafka).toEqual({
      kind: "external",
      brokers: ["localhost:9092", "other:9093"],
    });
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["only commas", " , ,"],
  ])("treats an %s KAFKA_BROKERS as unset", (_name, value) => {
    expect(chooseInfrastructure({ KAFKA_BROKERS: value }, true).kafka).toEqual({ kind: "testcontainers" });
    expect(chooseInfrastructure({ KAFKA_BROKERS: value }, false).kafka.kind).toBe("unavailable");
  });

  it.each([
    ["empty", ""],
    ["blank", "  "],
  ])("treats an %s TEST_DATABASE_URL as unset", (_name, value) => {
    expect(chooseInfrastructure({ TEST_DATABASE_URL: value }, true).postgres).toEqual({
      kind: "testcontainers",
    });
    expect(chooseInfrastructure({ TEST_DATABASE_URL: value }, false).postgres).toEqual({
      kind: "default",
      url: DEFAULT_TEST_DATABASE_URL,
    });
  });

  it("reads nothing but KAFKA_BROKERS and TEST_DATABASE_URL", () => {
    const noise = { DATABASE_URL: DB, KAFKA_BROKER: "x:1", DOCKER_HOST: "tcp://docker:2375" };
    expect(chooseInfrastructure(noise, false)).toEqual(chooseInfrastructure({}, false));
    expect(chooseInfrastructure(noise, true)).toEqual(chooseInfrastructure({}, true));
  });

  it("says how to get a broker when there is none", () => {
    const { kafka } = chooseInfrastructure({}, false);
    expect(kafka.kind).toBe("unavailable");
    if (kafka.kind !== "unavailable") return;
    expect(kafka.reason).toContain("scripts/test.sh");
    expect(kafka.reason).toContain("KAFKA_BROKERS");
    expect(kafka.reason).toContain("Docker");
  });

  it("keeps the default URL in step with @vigil/store/testing", () => {
    expect(DEFAULT_TEST_DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/postgres");
  });
});

describe("dockerCandidatePresent", () => {
  const none = () => false;

  it("is false on Linux with no DOCKER_HOST and no socket or properties file", () => {
    expect(dockerCandidatePresent({}, none, "linux")).toBe(false);
  });

  it("is true when DOCKER_HOST is set, without looking at the file system", () => {
    expect(dockerCandidatePresent({ DOCKER_HOST: "tcp://docker:2375" }, none, "linux")).toBe(true);
  });

  it.each([
    ["/var/run/docker.sock", {}],
    ["/xdg/docker.sock", { XDG_RUNTIME_DIR: "/xdg" }],
  ])("is true when %s exists", (path, env: Record<string, string>) => {
    expect(dockerCandidatePresent(env, (p) => p === path, "linux")).toBe(true);
  });

  it("looks at ~/.testcontainers.properties and the Docker Desktop / rootless sockets", () => {
    const seen: string[] = [];
    dockerCandidatePresent(
      {},
      (p) => {
        seen.push(p);
        return false;
      },
      "linux",
    );
    expect(seen.some((p) => p.endsWith(".testcontainers.properties"))).toBe(true);
    expect(seen.some((p) => p.endsWith(".docker/run/docker.sock"))).toBe(true);
    expect(seen.some((p) => p.endsWith(".docker/desktop/docker.sock"))).toBe(true);
    expect(seen.some((p) => /^\/run\/user\/\d+\/docker\.sock$/.test(p))).toBe(true);
  });

  it("leaves Windows (named pipe) to testcontainers", () => {
    expect(dockerCandidatePresent({}, none, "win32")).toBe(true);
  });
});

describe("dockerAvailable", () => {
  it("answers within its time limit on any machine, with or without Docker", async () => {
    const started = performance.now();
    const available = await dockerAvailable(1_000);
    expect(typeof available).toBe("boolean");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
