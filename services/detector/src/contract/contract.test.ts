import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Parser } from "@asyncapi/parser";
import { DLQ_HEADERS, TOPICS, validateEvent } from "@vigil/events";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { MESSAGE_ID_HEADER } from "../messages.ts";
import { asyncApiDocument } from "./asyncapi.ts";
import { ASYNCAPI_FILE, contractFiles, SCHEMAS_DIR } from "./files.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

interface Message {
  contentType: string;
  headers?: object;
  payload: { $ref?: string };
  examples: { name: string; headers?: object; payload: unknown }[];
}
type Document = {
  channels: Record<string, { address: string; messages: Record<string, Message> }>;
  components: { schemas: Record<string, { schema: object }> };
};

describe("contract files", () => {
  it("are current: docs/schemas and docs/asyncapi.yaml are what `pnpm schemas` writes", () => {
    const files = contractFiles();
    const onDisk = readdirSync(join(root, SCHEMAS_DIR), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name)));
    const generated = [...files.keys()].filter((file) => file.startsWith(`${SCHEMAS_DIR}/`));
    expect(onDisk.sort(), "run `pnpm schemas`").toEqual(generated.sort());
    for (const [file, text] of files) {
      expect(readFileSync(join(root, file), "utf8"), `${file} is stale: run \`pnpm schemas\``).toBe(text);
    }
  });
});

describe("the AsyncAPI document", () => {
  const document = asyncApiDocument() as unknown as Document;

  it("is valid AsyncAPI 3.0, as written to docs/asyncapi.yaml", async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(
      readFileSync(join(root, ASYNCAPI_FILE), "utf8"),
    );
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(parsed?.version()).toBe("3.0.0");
    expect(
      parsed
        ?.channels()
        .all()
        .map((c) => c.address())
        .sort(),
    ).toEqual(Object.values(TOPICS).sort());
  });

  it("gives every message Vigil writes the message id header, and dead letters their reason", () => {
    for (const [id, channel] of Object.entries(document.channels)) {
      for (const message of Object.values(channel.messages)) {
        const headers = JSON.stringify(message.headers ?? {});
        expect(headers.includes(MESSAGE_ID_HEADER), id).toBe(channel.address !== TOPICS.activity);
      }
    }
    const deadLetter = JSON.stringify(document.channels.deadLetter?.messages);
    for (const header of Object.values(DLQ_HEADERS)) expect(deadLetter).toContain(header);
  });

  it("has examples that are valid under their message's payload and headers", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    let checked = 0;
    for (const channel of Object.values(document.channels)) {
      for (const [id, message] of Object.entries(channel.messages)) {
        const ref = message.payload.$ref?.replace("#/components/schemas/", "");
        const payloadSchema = ref === undefined ? message.payload : document.components.schemas[ref]?.schema;
        expect(payloadSchema, id).toBeDefined();
        const payloadValid = ajv.compile(payloadSchema as object);
        const headersValid = ajv.compile(message.headers ?? {});
        for (const example of message.examples) {
          expect(payloadValid(example.payload), `${id} ${ajv.errorsText(payloadValid.errors)}`).toBe(true);
          expect(headersValid(example.headers ?? {}), `${id} headers`).toBe(true);
          if (channel.address === TOPICS.activity) expect(validateEvent(example.payload).ok, id).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});
