// The Java and Python examples of docs/producing.md build a login.succeeded event: read the event
// each builds (its fields and their values) and check it against the JSON Schema backends validate
// with and against the detector's own parser, with the key and topic the contract asks for.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TOPICS, validateEvent } from "@vigil/events";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const doc = readFileSync(join(root, "docs/producing.md"), "utf8");
const schema = JSON.parse(readFileSync(join(root, "docs/schemas/events/login.succeeded.json"), "utf8"));

/** What the snippets' calls produce at run time, as each language prints it. */
const RUNTIME_VALUES: Record<string, string> = {
  "UUID.randomUUID().toString()": "0f8e7c1a-4b2d-4e6f-9a1b-2c3d4e5f6a7b",
  "Instant.now().toString()": "2026-11-28T13:03:11.123456789Z",
  "str(uuid.uuid4())": "0f8e7c1a-4b2d-4e6f-9a1b-2c3d4e5f6a7b",
  "datetime.now(timezone.utc).isoformat()": "2026-11-28T13:03:11.123456+00:00",
};

interface Language {
  fence: string;
  /** A string variable: `String userId = "u-42";` */
  variable: RegExp;
  /** Where the event is built. */
  event: RegExp;
  /** One field of the event: `event.put("id", …);` */
  field: RegExp;
  /** The send: topic and key variable. */
  send: RegExp;
  booleans: [string, string];
}

const LANGUAGES: Record<string, Language> = {
  Java: {
    fence: "java",
    variable: /String (\w+) = ("[^"]*");/g,
    event: /Map<String, Object> event = [\s\S]*?producer\.send/,
    field: /event\.put\("(\w+)", (.+)\);/g,
    send: /new ProducerRecord<>\("([^"]+)", (\w+),/,
    booleans: ["true", "false"],
  },
  Python: {
    fence: "python",
    variable: /^(\w+) = ("[^"]*")$/gm,
    event: /^event = \{\n[\s\S]*?^\}/m,
    field: /^ {4}"(\w+)": (.+),$/gm,
    send: /produce\("([^"]+)", key=(\w+),/,
    booleans: ["True", "False"],
  },
};

function snippet(fence: string): string {
  const marks = "`".repeat(3);
  const found = new RegExp(`${marks}${fence}\\n([\\s\\S]*?)${marks}`).exec(doc);
  if (found?.[1] === undefined) throw new Error(`no ${fence} snippet in docs/producing.md`);
  return found[1];
}

function evaluate(expression: string, variables: Map<string, unknown>, language: Language): unknown {
  if (/^"[^"]*"$/.test(expression)) return JSON.parse(expression);
  if (expression === language.booleans[0]) return true;
  if (expression === language.booleans[1]) return false;
  if (/^-?\d+$/.test(expression)) return Number(expression);
  if (variables.has(expression)) return variables.get(expression);
  if (expression in RUNTIME_VALUES) return RUNTIME_VALUES[expression];
  throw new Error(`the test cannot evaluate \`${expression}\`: add what it returns to RUNTIME_VALUES`);
}

function readSnippet(language: Language) {
  const code = snippet(language.fence);
  const variables = new Map<string, unknown>();
  for (const [, name, literal] of code.matchAll(language.variable))
    variables.set(name as string, JSON.parse(literal as string));
  const event: Record<string, unknown> = {};
  const built = language.event.exec(code)?.[0] ?? "";
  for (const [, field, expression] of built.matchAll(language.field)) {
    event[field as string] = evaluate(expression as string, variables, language);
  }
  const [, topic, keyVariable] = language.send.exec(code) ?? [];
  return { code, event, topic, key: variables.get(keyVariable ?? "") };
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validLogin = ajv.compile(schema);

describe.each(Object.entries(LANGUAGES))("the %s example of docs/producing.md", (_name, language) => {
  const { code, event, topic, key } = readSnippet(language);

  it("builds a login.succeeded event valid under its JSON Schema and the detector's parser", () => {
    expect(Object.keys(event)).toEqual([
      "id",
      "type",
      "occurredAt",
      "userId",
      "sessionId",
      "ip",
      "userAgent",
      "method",
      "mfa",
    ]);
    expect(event).toMatchObject({ type: "login.succeeded", userId: "u-42", mfa: true });
    expect(validLogin(event), ajv.errorsText(validLogin.errors)).toBe(true);
    expect(validateEvent(event)).toMatchObject({ ok: true });
  });

  it("sends it to account-activity keyed by its user, with acks from all replicas", () => {
    expect(topic).toBe(TOPICS.activity);
    expect(key).toBe(event.userId);
    expect(code).toMatch(/ACKS_CONFIG, "all"|"acks": "all"/);
  });
});

it("the Python example partitions keys as the Java client does", () => {
  expect(snippet("python")).toContain('"partitioner": "murmur2_random"');
});
