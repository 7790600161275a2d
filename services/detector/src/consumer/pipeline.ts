import type { DetectionConfig } from "@vigil/detection";
import type { Severity, Topics } from "@vigil/events";
import {
  type BatchResult,
  FencedError,
  loadPartitionState,
  type NoticeLimit,
  RepeatedEvents,
  type Sql,
} from "@vigil/store";
import type { BatchControl, InboundBatch, InboundMessage, Publisher } from "../kafka/types.ts";
import type { Logger } from "../log.ts";
import { deadLetter } from "../messages.ts";
import type { Metrics } from "../metrics.ts";
import { ClockMotion } from "./clockMotion.ts";
import { type CommitTarget, commitPlan, reportCommitted } from "./commitPlan.ts";
import type { PlanContext, PlanRequest } from "./context.ts";
import { Addresses } from "./enrich.ts";
import { KeyedLock } from "./lock.ts";
import { PoisonedMessages } from "./poison.ts";
import { PartitionProgress } from "./progress.ts";
import { commitIsolating } from "./refusedData.ts";
import { untilDone } from "./retry.ts";
import { AccountRouting, locksOf } from "./routing.ts";
import { type Stall, StallWatch } from "./stalls.ts";
import { StoredOffsets } from "./storedOffsets.ts";
import { anchorTopic, TopicRoles } from "./topicRoles.ts";
import { UserCache } from "./userCache.ts";
import { type VerdictClocks, VerdictGate } from "./verdictGate.ts";

export interface PipelineOptions {
  sql: Sql;
  log: Logger;
  metrics: Metrics;
  groupId: string;
  topics: Topics;
  engine: DetectionConfig;
  ipHashKey: Buffer;
  maxFutureSkewMs: number;
  noticeMinSeverity: Severity;
  noticeLimit: NoticeLimit;
  profileCacheSize: number;
  /** Bound on the profile cache's memory, in bytes of serialized state. */
  profileCacheBytes: number;
  /** Publishes what a batch sends before it commits (the re-keyed logins). */
  publisher: Publisher;
  /** Called after a batch commits with messages in the outbox. */
  onOutbox(): void;
  /**
   * A partition whose fetched messages wait longer than this to commit is stalled (readiness fails);
   * a by-source clock that has not moved for as long stops holding busy sources.
   */
  stallSeconds?: number;
  /** Partitions of the activity and by-source topics (the by-source stage's watermark protocol). */
  partitions: { activity: number; bySource: number };
  now?: () => Date;
}

/**
 * Turns consumed batches into committed effects, exactly once: each batch's state changes, flags,
 * notices, outgoing messages and next offsets land in one transaction, fenced against any other
 * consumer that committed the same partition meanwhile. Re-keyed logins are published just before
 * that transaction commits (at least once, counted once by their source). Messages below the stored offset were
 * already applied and are skipped, whatever offset Kafka resumes from.
 */
export function createPipeline(options: PipelineOptions) {
  const { sql, log, metrics, groupId, topics } = options;
  const now = options.now ?? (() => new Date());
  const roles = new TopicRoles(topics);
  const stored = new StoredOffsets(sql, groupId);
  const routing = new AccountRouting(options.partitions.activity);
  const users = new UserCache(sql, options.profileCacheSize, options.profileCacheBytes, routing.homeOf);
  metrics.profileCache.bind(users);
  const progress = new PartitionProgress({
    sql,
    groupId,
    topics,
    engine: options.engine,
    partitions: options.partitions,
  });
  /** The partition's progress, if its topic keeps one. */
  const progressOf = (topic: string) => (roles.of(topic).progress ? progress : null);
  const { source } = options.engine;
  const verdictGate = new VerdictGate({
    sources: options.partitions.bySource,
    leadMs: source.leadMs,
    liveMs: source.graceMs + source.bucketMs,
    stallMs: (options.stallSeconds ?? 120) * 1000,
    load: (partition) =>
      loadPartitionState<VerdictClocks>(sql, { groupId, topic: topics.verdicts, partition }),
    onStall: (partition, clock) =>
      log.warn(
        {
          topic: topics.activity,
          partition,
          verdictClock: Number.isFinite(clock) ? new Date(clock).toISOString() : null,
        },
        "verdict clock stalled: the partition goes on without waiting for the by-source stage until its clock moves again",
      ),
  });
  metrics.waiting.read = () => verdictGate.waiting();
  const locks = new KeyedLock();
  const stalls = new StallWatch();
  metrics.stalls.read = () => stalls.behind(now().getTime());
  const context: PlanContext = {
    sql,
    groupId,
    topics,
    users,
    engine: options.engine,
    addresses: new Addresses(options.ipHashKey),
    maxFutureSkewMs: options.maxFutureSkewMs,
    noticeMinSeverity: options.noticeMinSeverity,
    metrics,
    log,
    watermarks: progress.watermarks,
    poisoned: new PoisonedMessages(topics, metrics, log),
    clockMotion: new ClockMotion((options.stallSeconds ?? 120) * 1000, (partition, watermark) =>
      log.warn(
        { topic: topics.bySource, partition, watermark: new Date(watermark).toISOString() },
        "by-source clock stalled: an activity partition neither publishes nor says it is idle; busy sources no longer wait for it beyond SOURCE_MAX_HOLD_MINUTES",
      ),
    ),
    population: (partition) => progress.population(partition),
    routing,
    verdictGate,
    partitions: options.partitions,
  };
  const target: CommitTarget = {
    sql,
    groupId,
    topics,
    noticeLimit: options.noticeLimit,
    publisher: options.publisher,
  };

  /** Commits the batch's messages not yet stored; answers the next offset to read. */
  async function apply(batch: InboundBatch): Promise<number | null> {
    const { topic, partition } = batch;
    const from = await stored.of(topic, partition);
    // A log that ends before the stored offset was made again or lost its data (a topic deleted and
    // recreated, a broker's disk wiped): what it holds now is unread, whatever its offsets; events
    // the store already has are recognised by id.
    const rewound = from !== null && batch.highWatermark >= 0 && batch.highWatermark < from;
    if (rewound) {
      log.error(
        { topic, partition, storedOffset: from, highWatermark: batch.highWatermark },
        "the partition's log ends before the stored offset (topic recreated or broker data lost); reading what it holds",
      );
      metrics.logRewinds.inc({ topic });
    }
    // After a failed attempt, the verdict clocks are the store's (verdictGate.ts `forget`).
    if (topic === topics.verdicts) await verdictGate.recheck(partition, now().getTime());
    const fresh = rewound ? batch.messages : batch.messages.filter((m) => from === null || m.offset >= from);
    if (fresh.length === 0) return from;
    const at = now();
    return commitIsolating(fresh, from, {
      commit: (messages, from) =>
        commitMessages({ topic, partition, messages, at, checkStored: false }, from),
      reject: (message, from, error) => commitRejected(message, from, error, at),
      splitting: (error, messages) =>
        log.warn(
          { err: (error as Error).message, topic, partition, messages },
          "the database refused a batch's data; splitting it to find the message",
        ),
    });
  }

  async function commitMessages(batch: PlanRequest, from: number | null): Promise<number> {
    try {
      return await planAndCommit(batch, from);
    } catch (error) {
      if (!(error instanceof RepeatedEvents)) throw error;
      // Rare (a producer's retry, a replay): planned again, without the ids the store holds.
      const { topic, partition } = batch;
      log.info({ topic, partition, detail: error.message }, "batch repeats stored events; planning it again");
      return planAndCommit({ ...batch, checkStored: true }, from);
    }
  }

  /** The one message the database refused: its offset moves past it, and it goes to the dead-letter topic. */
  async function commitRejected(
    message: InboundMessage,
    from: number | null,
    error: unknown,
    at: Date,
  ): Promise<number> {
    const { topic, partition } = message;
    const next = message.offset + 1;
    const detail = `the database refused it: ${(error as Error).message}`;
    log.error(
      { err: (error as Error).message, topic, partition, offset: message.offset },
      "dead-lettering a message the database refused",
    );
    const rejected = { write: { messages: [deadLetter(topics, message, "store_rejected", detail)] } };
    await commitPlan(target, { topic, partition, from, next }, rejected, at);
    stored.committed(topic, partition, next);
    metrics.deadLettered.inc({ reason: "store_rejected" });
    return next;
  }

  async function planAndCommit(batch: PlanRequest, from: number | null): Promise<number> {
    const { topic, partition, messages, at } = batch;
    const next = (messages[messages.length - 1] as InboundMessage).offset + 1;
    const planned = await context.poisoned.planWithout(
      batch,
      () => roles.of(topic).plan(context, batch),
      () => progressOf(topic)?.forgetPopulation(partition),
    );
    let result: BatchResult;
    try {
      result = await commitPlan(target, { topic, partition, from, next }, planned, at);
    } catch (error) {
      // The database may now be ahead of what memory holds (a commit fenced by another replica, or
      // one whose outcome is unknown): read it all again.
      stored.forget(topic, partition);
      users.forget(planned.touched ?? []);
      progressOf(topic)?.forget(partition);
      if (topic === topics.verdicts) verdictGate.forget(partition);
      throw error;
    }
    stored.committed(topic, partition, next);
    progressOf(topic)?.committed(partition);
    context.poisoned.committed(messages);
    if (planned.users) users.remember(planned.users);
    planned.committed?.();
    reportCommitted(result, metrics, log);
    return next;
  }

  /** Activity partitions found holding other partitions' accounts (warned about once each). */
  const misrouted = new Set<number>();
  /** The activity partitions this replica owns (the last assignment). */
  let ownedActivity: number[] = [];

  /** The batch's locks (routing.ts), warning once per partition found holding others' accounts. */
  function locksFor(batch: InboundBatch): string[] {
    const { locks, elsewhere } = locksOf(batch, roles, topics.activity, routing);
    if (elsewhere.length > 0 && !misrouted.has(batch.partition)) {
      misrouted.add(batch.partition);
      const { topic, partition } = batch;
      const unowned = elsewhere.filter((home) => !ownedActivity.includes(home));
      log.warn(
        { topic, partition, accountsOf: elsewhere, ownedElsewhere: unowned },
        unowned.length === 0
          ? "events of accounts that belong to other partitions: scored here under those partitions' locks too, which serialises the batches; key every event by userId with Kafka's default (murmur2) partitioner (docs/producing.md)"
          : "events of accounts that belong to partitions another replica owns: their changes can overwrite each other; key every event by userId with Kafka's default (murmur2) partitioner (docs/producing.md)",
      );
    }
    return locks;
  }

  /**
   * The part of an activity batch its partition may read now (verdictGate.ts), and the event time
   * of the first message that must wait, if any.
   */
  async function readable(batch: InboundBatch): Promise<{ batch: InboundBatch; next: number | null }> {
    if (batch.topic !== topics.activity) return { batch, next: null };
    const held = await verdictGate.firstHeld(batch.partition, batch.messages, now().getTime());
    if (held.index === batch.messages.length) return { batch, next: null };
    return { batch: { ...batch, messages: batch.messages.slice(0, held.index) }, next: held.at };
  }

  /**
   * The partition waits before an event at `next`: its watermark once that event is read goes to
   * the by-source stage first, so that the verdict clock it waits for can move past a gap.
   */
  async function waitBefore(partition: number, next: number, control: BatchControl): Promise<void> {
    const { watermarks } = progress;
    const peek = await watermarks.peek(partition, next);
    if (peek.messages.length > 0) {
      try {
        await options.publisher.send(peek.messages);
      } catch (error) {
        // Not paused: the messages are fetched again and the mark retried.
        log.warn(
          { err: (error as Error).message, partition },
          "could not publish a waiting partition's mark",
        );
        return;
      }
      watermarks.published(partition, peek.at);
    }
    verdictGate.wait(partition, next, control.pause(), now().getTime());
  }

  return {
    users,
    async onBatch(fetched: InboundBatch, control: BatchControl): Promise<number | null> {
      stalls.started(fetched.topic, fetched.partition, now().getTime());
      progressOf(fetched.topic)?.started(fetched.partition, now().getTime());
      return locks.runAll(locksFor(fetched), async () => {
        const { batch, next: held } = await readable(fetched);
        if (held !== null && batch.messages.length === 0) {
          // Nothing to read before the verdicts catch up: waiting, not stalled.
          stalls.committed(batch.topic, batch.partition, now().getTime());
          await waitBefore(batch.partition, held, control);
          return null;
        }
        const timer = metrics.batchSeconds.startTimer({ topic: batch.topic });
        let next: number | null = null;
        const done = await untilDone(
          control,
          async () => {
            next = await apply(batch);
          },
          (error, attempt) => {
            if (error instanceof FencedError) {
              log.warn({ topic: batch.topic, partition: batch.partition }, "batch fenced; reloading offsets");
              return;
            }
            // A store or broker that fails holds every clock still: that is not a stall.
            verdictGate.failing(now().getTime());
            context.clockMotion.failing(now().getTime());
            metrics.batchRetries.inc();
            log.warn(
              { err: (error as Error).message, topic: batch.topic, partition: batch.partition, attempt },
              "batch failed; retrying",
            );
          },
        );
        timer();
        if (!done) {
          stalls.forget(batch.topic, batch.partition);
          return null;
        }
        const lastOffset = batch.messages[batch.messages.length - 1]?.offset ?? 0;
        const lag = Math.max(0, batch.highWatermark - lastOffset - 1);
        metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, lag);
        stalls.committed(batch.topic, batch.partition, now().getTime());
        progressOf(batch.topic)?.ended(batch.partition, lag, now().getTime());
        options.onOutbox();
        if (held !== null) await waitBefore(batch.partition, held, control);
        return next;
      });
    },
    /** A rebalance: forget everything about partitions this replica no longer owns. */
    onAssignment(owned: Map<string, number[]>): void {
      const ownedUsers = owned.get(anchorTopic(topics)) ?? [];
      ownedActivity = ownedUsers;
      users.forgetPartitions((partition) => ownedUsers.includes(partition));
      progress.retain(ownedUsers, now().getTime());
      verdictGate.retain(ownedUsers);
      stored.clear();
      stalls.retain(owned);
    },
    /**
     * Publishes the idle mark of every owned activity partition that has had nothing to read for
     * `idleSeconds`, so that it stops holding back the by-source stage's clock. Under the partition's
     * lock: a batch's logins and marks, and this mark, reach each by-source partition in order.
     */
    async publishIdle(idleSeconds: number): Promise<void> {
      const idleMs = idleSeconds * 1000;
      const { watermarks } = progress;
      for (const partition of watermarks.idlePartitions(now().getTime(), idleMs)) {
        await locks.run(roles.lockOf(topics.activity, partition), async () => {
          const mark = await watermarks.idleMark(partition, now().getTime(), idleMs);
          if (mark === null) return;
          await options.publisher.send(mark.messages);
          watermarks.publishedIdle(partition, mark.at);
        });
      }
    },
    /** Lets go the activity partitions whose verdict clock stopped moving (verdictGate.ts). */
    releaseStalled(): void {
      verdictGate.releaseStalled(now().getTime());
    },
    /** Partitions whose fetched messages have waited longer than `stallSeconds` (default 120) to commit. */
    stalled(): Stall[] {
      return stalls.stalled(now().getTime(), options.stallSeconds ?? 120);
    },
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
