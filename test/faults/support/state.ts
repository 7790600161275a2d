import { randomBytes } from "node:crypto";
import { type Topics, topicNames } from "@vigil/events";
import pg from "pg";
import { consumedTopics } from "../../../services/detector/src/consumer/topicRoles.ts";
import { waitFor } from "../../support/wait.ts";
import { kafkaAt } from "./stream.ts";

/** The header carrying a published message's stable id (services/detector/src/messages.ts). */
export const MESSAGE_ID_HEADER = "vigil-message-id";

/** The end offset (high watermark) of every partition of each topic. */
export async function endOffsets(brokers: string[], topics: string[]): Promise<Map<string, number>> {
  const admin = kafkaAt(brokers).admin();
  await admin.connect();
  try {
    const ends = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        ends.set(`${topic}:${partition}`, Number(high));
      }
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface Progress {
  /** Stored next offsets by `topic:partition`. */
  offsets: Map<string, number>;
  outbox: number;
}

export async function progress(url: string): Promise<Progress> {
  return withDatabase(url, async (client) => {
    const offsets = await client.query<{ topic: string; partition: number; next_offset: string }>(
      "select topic, partition, next_offset from consumer_offsets",
    );
    const outbox = await client.query<{ n: number }>("select count(*)::int as n from outbox");
    return {
      offsets: new Map(offsets.rows.map((r) => [`${r.topic}:${r.partition}`, Number(r.next_offset)])),
      outbox: outbox.rows[0]?.n ?? 0,
    };
  });
}

/** How many `account-activity` messages the store has committed (sum of next offsets). */
export async function committedActivity(url: string, topics: Topics): Promise<number> {
  const { offsets } = await progress(url).catch(() => ({ offsets: new Map<string, number>() }));
  let sum = 0;
  for (const [key, next] of offsets) if (key.startsWith(`${topics.activity}:`)) sum += next;
  return sum;
}

/**
 * True when there is nothing left to do: every consumed partition's stored offset is at its end
 * and the outbox is empty (so nothing more will be published to the internal topics either).
 */
export async function isSettled(url: string, brokers: string[], topics: Topics): Promise<boolean> {
  const before = await progress(url);
  if (before.outbox > 0) return false;
  const ends = await endOffsets(brokers, consumedTopics(topics));
  for (const [key, end] of ends) if ((before.offsets.get(key) ?? 0) !== end) return false;
  return true;
}

/** Waits until the service has consumed everything there is and published everything it decided. */
export async function waitSettled(
  url: string,
  brokers: string[],
  topics: Topics,
  timeoutMs = 180_000,
  describe: () => string = () => "",
): Promise<void> {
  await waitFor(
    "the service to consume everything and drain its outbox",
    async () => ((await isSettled(url, brokers, topics)) ? true : undefined),
    timeoutMs,
  ).catch(async (error: Error) => {
    const now = await progress(url).catch(() => null);
    throw new Error(
      `${error.message}\nstored offsets: ${JSON.stringify([...(now?.offsets ?? [])])}, outbox: ${now?.outbox}\n${describe()}`,
    );
  });
}

export interface ReadMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Every message of a topic, from the beginning to its current end, in partition-then-offset order. */
export async function readAll(brokers: string[], topic: string, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const ends = await endOffsets(brokers, [topic]);
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const consumer = kafkaAt(brokers).consumer({
    groupId: `fault-reader-${randomBytes(4).toString("hex")}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read only ${messages.length} of ${total} messages of ${topic}`)),
        timeoutMs,
      );
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(m.headers ?? {}))
              if (value !== undefined) headers[name] = String(value);
            messages.push({
              partition: batch.partition,
              offset: Number(m.offset),
              key: m.key?.toString() ?? null,
              value: m.value,
              headers,
            });
          }
          if (messages.length >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export interface FlagContent {
  userId: string;
  sessionId: string | null;
  severity: number;
  reasons: string;
  eventCount: number;
}

/** Everything a run ends with that must not depend on how it got there. */
export interface FinalState {
  /** Flags by id: content only (createdAt/updatedAt are wall times). */
  flags: Map<string, FlagContent>;
  /** User profiles by user id, as canonical JSON (through jsonb, which normalises key order). */
  userStates: Map<string, string>;
  noticeIds: string[];
  eventIds: number;
  /** Stored next offsets of `account-activity`, by partition. */
  activityOffsets: Map<number, number>;
  outbox: number;
  published: {
    /** account-flags: raw messages, distinct message ids, and the newest version of each flag. */
    flagMessages: number;
    flagMessageIds: number;
    latestFlags: Map<string, FlagContent>;
    /** account-security-notices: distinct message ids and, after dropping repeats, copies per notice id. */
    noticeMessages: number;
    noticeCopies: Map<string, number>;
    deadLetters: number;
  };
}

function content(flag: {
  userId: string;
  sessionId: string | null;
  severity: number;
  reasons: { code: string }[];
  eventCount: number;
}): FlagContent {
  return {
    userId: flag.userId,
    sessionId: flag.sessionId,
    severity: flag.severity,
    reasons: flag.reasons.map((r) => r.code).join(","),
    eventCount: flag.eventCount,
  };
}

const SEVERITY_RANK: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Reads the final state from the database directly and from the published topics. */
export async function finalState(url: string, brokers: string[], prefix: string): Promise<FinalState> {
  const topics = topicNames(prefix);
  const db = await withDatabase(url, async (client) => {
    const flags = await client.query<{
      id: string;
      user_id: string;
      session_id: string | null;
      severity_rank: number;
      reasons: { code: string }[];
      event_count: number;
    }>("select id, user_id, session_id, severity_rank, reasons, event_count from flags order by id");
    const states = await client.query<{ user_id: string; state: string }>(
      "select user_id, state::jsonb::text as state from user_states order by user_id",
    );
    const notices = await client.query<{ id: string }>("select id from notices order by id");
    const events = await client.query<{ n: number }>("select count(*)::int as n from events");
    const offsets = await client.query<{ partition: number; next_offset: string }>(
      "select partition, next_offset from consumer_offsets where topic = $1",
      [topics.activity],
    );
    const outbox = await client.query<{ n: number }>("select count(*)::int as n from outbox");
    return { flags, states, notices, events, offsets, outbox };
  });

  const flagMessages = await readAll(brokers, topics.flags);
  const flagIds = new Set<string>();
  const latestFlags = new Map<string, FlagContent>();
  for (const message of flagMessages) {
    const id = message.headers[MESSAGE_ID_HEADER] ?? "(none)";
    if (flagIds.has(id)) continue;
    flagIds.add(id);
    const flag = JSON.parse(message.value?.toString() ?? "{}");
    // One user's flags go to one partition in commit order, so the last one read is the newest.
    latestFlags.set(flag.id, content({ ...flag, severity: SEVERITY_RANK[flag.severity] ?? -1 }));
  }
  const noticeMessages = await readAll(brokers, topics.notices);
  const noticeIds = new Set<string>();
  const noticeCopies = new Map<string, number>();
  for (const message of noticeMessages) {
    const id = message.headers[MESSAGE_ID_HEADER] ?? "(none)";
    if (noticeIds.has(id)) continue;
    noticeIds.add(id);
    const notice = JSON.parse(message.value?.toString() ?? "{}") as { id: string };
    noticeCopies.set(notice.id, (noticeCopies.get(notice.id) ?? 0) + 1);
  }
  const deadLetters = [...(await endOffsets(brokers, [topics.deadLetter])).values()].reduce(
    (a, b) => a + b,
    0,
  );

  return {
    flags: new Map(
      db.flags.rows.map((r) => [
        r.id,
        content({
          userId: r.user_id,
          sessionId: r.session_id,
          severity: r.severity_rank,
          reasons: r.reasons,
          eventCount: r.event_count,
        }),
      ]),
    ),
    userStates: new Map(db.states.rows.map((r) => [r.user_id, r.state])),
    noticeIds: db.notices.rows.map((r) => r.id),
    eventIds: db.events.rows[0]?.n ?? 0,
    activityOffsets: new Map(db.offsets.rows.map((r) => [r.partition, Number(r.next_offset)])),
    outbox: db.outbox.rows[0]?.n ?? 0,
    published: {
      flagMessages: flagMessages.length,
      flagMessageIds: flagIds.size,
      latestFlags,
      noticeMessages: noticeMessages.length,
      noticeCopies,
      deadLetters,
    },
  };
}

/** Sorted entries, for readable equality assertions. */
export function entries<K extends string | number, V>(map: Map<K, V>): [K, V][] {
  return [...map].sort(([a], [b]) => String(a).localeCompare(String(b)));
}

/** The users whose profiles differ between two runs (missing on either side included). */
export function differingProfiles(actual: FinalState, reference: FinalState): string[] {
  const users = new Set([...actual.userStates.keys(), ...reference.userStates.keys()]);
  return [...users].filter((u) => actual.userStates.get(u) !== reference.userStates.get(u)).sort();
}
