import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { topicNames } from "@vigil/events";
import { describe, expect, it } from "vitest";
import { ConfigError, engineOf, loadConfig } from "./config.ts";
import { connectionOptions } from "./kafka/connection.ts";
import { kafkaSecurity, topicRetentionMs } from "./kafkaSettings.ts";

const base = { AUTH_JWT_SECRET: "s".repeat(32) };
const load = (env: Record<string, string>) => loadConfig({ ...base, ...env });
const refusal = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the configuration was accepted");
};

const folder = mkdtempSync(join(tmpdir(), "vigil-config-"));
const pem = (name: string) => {
  const path = join(folder, name);
  writeFileSync(path, `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`);
  return path;
};

describe("Kafka TLS and SASL from the environment", () => {
  it("connects in clear without authentication by default", () => {
    expect(connectionOptions(kafkaSecurity(load({})))).toEqual({});
  });

  it("takes TLS with the system's CAs, or a CA file and a client certificate", () => {
    expect(connectionOptions(kafkaSecurity(load({ KAFKA_SSL: "true" })))).toEqual({
      ssl: { rejectUnauthorized: true },
    });
    const [ca, cert, key] = [pem("ca.pem"), pem("cert.pem"), pem("key.pem")];
    const options = connectionOptions(
      kafkaSecurity(
        load({ KAFKA_SSL: "1", KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key }),
      ),
    );
    const tls = options.ssl as Record<string, unknown>;
    expect(tls.rejectUnauthorized).toBe(true);
    expect(String(tls.ca)).toContain("ca.pem");
    expect(String(tls.cert)).toContain("cert.pem");
    expect(String(tls.key)).toContain("key.pem");
  });

  it.each(["plain", "scram-sha-256", "scram-sha-512"])(
    "takes SASL %s with its username and password",
    (mechanism) => {
      const env = {
        KAFKA_SSL: "true",
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: "vigil",
        KAFKA_SASL_PASSWORD: "pw",
      };
      expect(connectionOptions(kafkaSecurity(load(env))).sasl).toEqual({
        mechanism,
        username: "vigil",
        password: "pw",
      });
    },
  );

  it("takes SCRAM without TLS, but never PLAIN, whose password would cross the network in clear", () => {
    const scram = {
      KAFKA_SASL_MECHANISM: "scram-sha-256",
      KAFKA_SASL_USERNAME: "v",
      KAFKA_SASL_PASSWORD: "p",
    };
    expect(kafkaSecurity(load(scram)).sasl?.mechanism).toBe("scram-sha-256");
    expect(refusal({ ...scram, KAFKA_SASL_MECHANISM: "plain" })).toContain(
      "KAFKA_SSL: must be true with KAFKA_SASL_MECHANISM=plain",
    );
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: "gssapi" },
      "KAFKA_SASL_MECHANISM: must be plain, scram-sha-256 or scram-sha-512",
    ],
    [
      { KAFKA_SASL_MECHANISM: "scram-sha-512", KAFKA_SASL_USERNAME: "v" },
      "KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM=scram-sha-512",
    ],
    [
      { KAFKA_SASL_MECHANISM: "scram-sha-512", KAFKA_SASL_PASSWORD: "p" },
      "KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=scram-sha-512",
    ],
    [
      { KAFKA_SASL_USERNAME: "v", KAFKA_SASL_PASSWORD: "p" },
      "KAFKA_SASL_USERNAME: needs KAFKA_SASL_MECHANISM",
    ],
    [{ KAFKA_SSL: "yes" }, "KAFKA_SSL: must be true or false"],
    // The brokers' default bounds of a group member's session.
    [{ KAFKA_SESSION_TIMEOUT_SECONDS: "5" }, "KAFKA_SESSION_TIMEOUT_SECONDS: Too small"],
    [{ KAFKA_SESSION_TIMEOUT_SECONDS: "1801" }, "KAFKA_SESSION_TIMEOUT_SECONDS: Too big"],
    [{ KAFKA_SSL_CA_FILE: "/etc/hosts" }, "KAFKA_SSL_CA_FILE: needs KAFKA_SSL=true"],
    [
      { KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" },
      "KAFKA_SSL_CA_FILE: cannot read /nonexistent/ca.pem",
    ],
    [
      { KAFKA_SSL: "true", KAFKA_SSL_CERT_FILE: "/etc/hosts" },
      "KAFKA_SSL_KEY_FILE: the client certificate and its key go together",
    ],
  ])("refuses %j with a clear error", (env, message) => {
    expect(refusal(env)).toContain(message);
  });
});

describe("the IP hash key", () => {
  it("is required with DATABASE_URL, never derived from the JWT secret there", () => {
    expect(refusal({ DATABASE_URL: "postgres://db/vigil" })).toContain(
      "IP_HASH_KEY: required with DATABASE_URL",
    );
    expect(load({ DATABASE_URL: "postgres://db/vigil", IP_HASH_KEY: "k".repeat(16) }).IP_HASH_KEY).toBe(
      "k".repeat(16),
    );
  });

  it("may be left out on the embedded database (the demo derives one)", () => {
    expect(load({}).IP_HASH_KEY).toBeUndefined();
  });
});

describe("AUTH_JWT_MAX_TTL", () => {
  it.each([
    [undefined, 86_400],
    ["900", 900],
    ["15m", 900],
    ["12h", 43_200],
    ["7d", 604_800],
  ])("reads %j as %d seconds", (value, seconds) => {
    expect(load(value === undefined ? {} : { AUTH_JWT_MAX_TTL: value }).AUTH_JWT_MAX_TTL).toBe(seconds);
  });

  it.each(["0", "-5", "1w", "soon", ""])("refuses %j", (value) => {
    expect(refusal({ AUTH_JWT_MAX_TTL: value })).toContain("AUTH_JWT_MAX_TTL: must be a positive duration");
  });
});

describe("retention.ms of the topics Vigil creates", () => {
  it("gives every topic one, by default 7 days, 3 days for internal topics and 30 for dead letters", () => {
    const topics = topicNames("p.");
    const day = 86_400_000;
    expect(topicRetentionMs(load({}), topics)).toEqual({
      [topics.activity]: 7 * day,
      [topics.flags]: 7 * day,
      [topics.notices]: 7 * day,
      [topics.bySource]: 3 * day,
      [topics.verdicts]: 3 * day,
      [topics.feedback]: 3 * day,
      [topics.deadLetter]: 30 * day,
    });
    const hours = topicRetentionMs(load({ KAFKA_INTERNAL_RETENTION_HOURS: "6" }), topics);
    expect(hours[topics.bySource]).toBe(6 * 3_600_000);
  });
});

describe("how far history runs ahead of its verdicts", () => {
  it("is six hours by default, none with 0, and never past a quiet session's life less the look-back", () => {
    expect(engineOf(load({})).source.leadMs).toBe(6 * 3_600_000);
    expect(engineOf(load({ VERDICT_LEAD_MINUTES: "0" })).source.leadMs).toBe(Number.POSITIVE_INFINITY);
    expect(refusal({ VERDICT_LEAD_MINUTES: "661" })).toMatch(/VERDICT_LEAD_MINUTES/);
  });
});
