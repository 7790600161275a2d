// The machine a run measured: CPUs, memory, Node, Kafka and PostgreSQL with the settings that matter.
import { cpus, totalmem } from "node:os";
import { testPostgresUrl } from "@vigil/store/testing";
import pg from "pg";
import { localKafkaVersion } from "./proc.ts";
import type { Results } from "./report.ts";

export async function describeMachine(): Promise<Results["machine"]> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  const setting = async (query: string) =>
    String(Object.values((await client.query(query)).rows[0] ?? {})[0]);
  const postgres = {
    version: (await setting("show server_version")).split(" ")[0] ?? "?",
    sharedBuffers: await setting("show shared_buffers"),
    synchronousCommit: await setting("show synchronous_commit"),
  };
  await client.end();
  const kafkaVersion = localKafkaVersion();
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    kafka: kafkaVersion,
    postgres,
  };
}
