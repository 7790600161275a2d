// A backend outside this repository: the packed @vigil/producer and @vigil/events, installed with
// plain npm into a fresh project on Node 20 and on Node 24, imported from JavaScript and type-checked
// from TypeScript. Its logins reach the real Vigil, which scores them (a flag for the new country),
// and a bad event is refused with a typed error before anything is sent.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sampleIps } from "@vigil/geo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const NODES = [
  { major: 20, bin: "/usr/bin" },
  { major: 24, bin: dirname(process.execPath) },
];
const berlin = sampleIps({ country: "DE", city: "Berlin", count: 1, seed: 1 })[0] as string;
const saoPaulo = sampleIps({ country: "BR", city: "São Paulo", count: 1, seed: 2 })[0] as string;
const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IOS =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/** The backend's code, in JavaScript: replays the logins it is given, then tries a bad one. */
const backendJs = `import { createActivityProducer, InvalidEventError } from "@vigil/producer";

const vigil = createActivityProducer({
  brokers: process.env.KAFKA_BROKERS.split(","),
  topic: process.env.VIGIL_TOPIC,
  clientId: "backend-outside-the-repository",
});
const sent = [];
for (const login of JSON.parse(process.env.LOGINS)) sent.push(await vigil.loginSucceeded(login));
let rejected = null;
try {
  await vigil.loginSucceeded({ userId: "someone", sessionId: "s-1", ip: "300.1.1.1" });
} catch (error) {
  rejected = { typed: error instanceof InvalidEventError, name: error.name, issues: error.issues };
}
await vigil.close();
console.log(JSON.stringify({ node: process.version, sent, rejected }));
`;

/** The same from TypeScript: only type-checked. The expected error proves the types are not \`any\`. */
const backendTs = `import type { LoginSucceeded } from "@vigil/events";
import { type ActivityProducer, createActivityProducer, type EventFields, InvalidEventError } from "@vigil/producer";

const vigil: ActivityProducer = createActivityProducer({ brokers: ["kafka-1:9092"] });
export const album: EventFields<"content.deleted"> = { userId: "u-1", sessionId: "s-1", contentType: "album" };
// @ts-expect-error "video" is not a content type
export const video: EventFields<"content.deleted"> = { userId: "u-1", sessionId: "s-1", contentType: "video" };

export async function signIn(ip: string): Promise<LoginSucceeded | string[]> {
  try {
    return await vigil.loginSucceeded({ userId: "u-1", sessionId: "s-1", ip, occurredAt: new Date() });
  } catch (error) {
    if (error instanceof InvalidEventError) return error.issues.map((issue) => issue.path);
    throw error;
  }
}
`;

const tsconfig = {
  compilerOptions: {
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    strict: true,
    noEmit: true,
    types: ["node"],
    typeRoots: [join(root, "node_modules/@types")],
  },
  files: ["backend.ts"],
};

describe("the packed producer SDK in a project outside the workspace", () => {
  let vigil: TestVigil;
  let analyst: string;
  let tarballs: string[];
  const temporary: string[] = [];
  const scratch = async (name: string) => {
    const dir = await mkdtemp(join(tmpdir(), `vigil-${name}-`));
    temporary.push(dir);
    return dir;
  };

  beforeAll(async () => {
    const packed = await scratch("packed");
    for (const name of ["events", "producer"]) {
      await run("pnpm", ["pack", "--pack-destination", packed], { cwd: join(root, "packages", name) });
    }
    tarballs = (await readdir(packed)).map((file) => join(packed, file));
    expect(tarballs).toHaveLength(2);
    vigil = await startVigil();
    analyst = await vigil.token("analyst-1", "flags:read");
  });
  afterAll(async () => {
    await vigil?.stop();
    for (const dir of temporary) await rm(dir, { recursive: true, force: true });
  });

  it.each(NODES)(
    "installs with npm on Node $major, and its logins are scored",
    { timeout: 300_000 },
    async ({ major, bin }) => {
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
      const project = await scratch(`backend-node${major}`);
      await writeFile(
        join(project, "package.json"),
        JSON.stringify({ name: "backend", private: true, type: "module" }),
      );
      await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], {
        cwd: project,
        env,
      });
      await writeFile(join(project, "backend.mjs"), backendJs);
      await writeFile(join(project, "backend.ts"), backendTs);
      await writeFile(join(project, "tsconfig.json"), JSON.stringify(tsconfig));

      await run(join(root, "node_modules/.bin/tsc"), ["-p", project], { cwd: project });

      const userId = `backend-node${major}`;
      const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
      const home = Array.from({ length: 6 }, (_, n) => ({
        userId,
        sessionId: `${userId}-s${n}`,
        ip: berlin,
        userAgent: CHROME,
        method: "password",
        occurredAt: daysAgo(12 - n * 2),
      }));
      const away = {
        userId,
        sessionId: `${userId}-away`,
        ip: saoPaulo,
        userAgent: SAFARI_IOS,
        method: "password",
      };
      const { stdout } = await run("node", ["backend.mjs"], {
        cwd: project,
        env: {
          ...env,
          KAFKA_BROKERS: testBrokers().join(","),
          VIGIL_TOPIC: vigil.topics.activity,
          LOGINS: JSON.stringify([...home, away]),
        },
      });
      const result = JSON.parse(stdout);
      expect(result.node).toMatch(new RegExp(`^v${major}\\.`));
      expect(result.sent).toHaveLength(7);
      expect(result.rejected).toMatchObject({
        typed: true,
        name: "InvalidEventError",
        issues: [{ path: "ip" }],
      });

      const flags = await waitFor(`a flag for ${userId}`, async () => {
        const { body } = await vigil.get(`/v1/flags?userId=${userId}`, analyst);
        return body.items?.length > 0 ? body.items : undefined;
      });
      expect(flags[0]).toMatchObject({ sessionId: `${userId}-away` });
      expect(flags[0].reasons.map((r: { code: string }) => r.code)).toContain("new_country");
    },
  );
});
