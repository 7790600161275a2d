import { keyPartitioner } from "../kafka/partitioning.ts";
import type { InboundBatch, InboundMessage } from "../kafka/types.ts";
import { decodedValue } from "./decoded.ts";
import type { TopicRoles } from "./topicRoles.ts";

/**
 * Which partition owns each account: the one its user id lands on by Kafka's default partitioner
 * (docs/producing.md). Verdicts and feedback about an account arrive there, and its state is
 * cached under it. An activity event produced elsewhere (a client that hashes keys another way,
 * as librdkafka's default does, or sends no key) is still scored where it arrived, while its
 * batch also holds the lock of the account's own partition, so that no two batches change one
 * account at once.
 */
export class AccountRouting {
  readonly homeOf: (userId: string) => number;

  constructor(partitions: number) {
    this.homeOf = keyPartitioner(partitions);
  }

  /** The other partitions whose accounts the messages name (read from their values), in order. */
  elsewhere(partition: number, messages: readonly InboundMessage[]): number[] {
    const homes = new Set<number>();
    for (const message of messages) {
      const userId = userIdOf(message.value);
      if (userId === null) continue;
      const home = this.homeOf(userId);
      if (home !== partition) homes.add(home);
    }
    return [...homes].sort((a, b) => a - b);
  }
}

/**
 * The locks a batch holds: its partition's and, for account activity, those of the other
 * partitions whose accounts it names. `elsewhere` is empty when every event is on its account's
 * partition, as with any producer keying by userId with the default partitioner.
 */
export function locksOf(
  batch: InboundBatch,
  roles: TopicRoles,
  activity: string,
  routing: AccountRouting,
): { locks: string[]; elsewhere: number[] } {
  const { topic, partition, messages } = batch;
  const own = roles.lockOf(topic, partition);
  if (topic !== activity) return { locks: [own], elsewhere: [] };
  const elsewhere = routing.elsewhere(partition, messages);
  return { locks: [own, ...elsewhere.map((home) => roles.lockOf(topic, home))], elsewhere };
}

/** The `userId` of a message's JSON value, if it has one; anything else is for the planner to refuse. */
function userIdOf(value: Buffer | null): string | null {
  const decoded = decodedValue(value);
  if (!decoded.ok || typeof decoded.data !== "object" || decoded.data === null) return null;
  const userId = (decoded.data as { userId?: unknown }).userId;
  return typeof userId === "string" ? userId : null;
}
