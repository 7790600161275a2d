import { z } from "zod";
import type { InboundMessage } from "../kafka/types.ts";
import type { VerdictClockMark } from "../messages.ts";
import { decodedValue, parsedEvent, valueMatching } from "./decoded.ts";

// Spray and stuffing verdicts reach an account through the by-source stage, a bucket and a grace
// after the logins they judge, and later while the stream is caught up on. An account whose own
// partition ran further ahead would have forgotten (or learned) the session a verdict concerns, and
// which of the two happened would depend on delivery. So each by-source partition tells every
// verdicts partition its clock after the verdicts it covers (`verdictClockMessages`), and an
// activity partition reading history waits while its next event is more than `leadMs` of event time
// ahead of the least of those clocks: every verdict then meets its session (Flink's watermark
// alignment). While it waits, it publishes its next event's watermark to the by-source stage, so
// that the clock it waits for can pass the gap.

const markSchema = z.object({
  verdictClock: z.object({
    partition: z.number().int().min(0),
    partitions: z.number().int().min(1),
    at: z.number(),
  }),
});

interface Limits {
  /** The newest event time the partition may read. */
  horizon: number;
  /** Events from here on are live: they never wait. */
  live: number;
}

/** An event waits when it is past the partition's horizon and not live. */
function waits(at: number, { horizon, live }: Limits): boolean {
  return at > horizon && at < live;
}

/** A by-source partition's clock read from the verdicts topic; null for anything else. */
export function parseVerdictClock(value: Buffer | null): VerdictClockMark | null {
  return valueMatching(value, markSchema)?.verdictClock ?? null;
}

/** What partition_states keeps of a verdicts partition: each by-source partition's clock, by number. */
export interface VerdictClocks {
  clocks: Record<string, number>;
}

/** The clocks with the marks taken (a clock never goes back); null if none moved. */
export function withMarks(
  known: VerdictClocks | null,
  marks: readonly VerdictClockMark[],
): VerdictClocks | null {
  const clocks = { ...known?.clocks };
  let moved = false;
  for (const mark of marks) {
    const key = String(mark.partition);
    if ((clocks[key] ?? Number.NEGATIVE_INFINITY) >= mark.at) continue;
    clocks[key] = mark.at;
    moved = true;
  }
  return moved ? { clocks } : null;
}

/** The least clock of the `sources` by-source partitions; minus infinity while one was never heard from. */
export function leastClock(known: VerdictClocks | null, sources: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (let partition = 0; partition < sources; partition++) {
    const at = known?.clocks[String(partition)];
    if (at === undefined) return Number.NEGATIVE_INFINITY;
    if (at < least) least = at;
  }
  return least;
}

/** An activity message's event time as its partition's watermark counts it; null if it has none. */
export function eventTimeOf(message: InboundMessage, now: number): number | null {
  const decoded = decodedValue(message.value);
  if (!decoded.ok || typeof decoded.data !== "object" || decoded.data === null) return null;
  const occurredAt = (decoded.data as { occurredAt?: unknown }).occurredAt;
  const at = typeof occurredAt === "string" ? Date.parse(occurredAt) : Number.NaN;
  return Number.isNaN(at) ? null : Math.min(at, now);
}

export interface GateOptions {
  /** Partitions of the by-source topic. */
  sources: number;
  /** Infinite: never wait (a pipeline driven batch by batch, with no by-source stage answering). */
  leadMs: number;
  /** Events this close to the wall clock never wait: live traffic is not held for the by-source stage. */
  liveMs: number;
  /** A waiting partition whose verdict clock has not moved for this long (wall time) goes on without it. */
  stallMs: number;
  /** The clocks a verdicts partition committed. */
  load(partition: number): Promise<VerdictClocks | null>;
  onStall(partition: number, clock: number): void;
}

interface Waiting {
  /** Event time of its first message not read. */
  next: number;
  resume: () => void;
  /** Wall time it began waiting, or its clock last moved since. */
  since: number;
}

/** Which activity partitions wait for the verdict clock of their (co-partitioned) verdicts partition. */
export class VerdictGate {
  readonly #options: GateOptions;
  readonly #clocks = new Map<number, VerdictClocks | null>();
  readonly #waiting = new Map<number, Waiting>();
  /** Partitions that went on after their clock stalled, until it moves again. */
  readonly #released = new Set<number>();

  constructor(options: GateOptions) {
    this.#options = options;
  }

  /**
   * The index of the first of `messages` (an activity partition's, in offset order) that must wait,
   * or their count; with its event time.
   */
  async firstHeld(
    partition: number,
    messages: readonly InboundMessage[],
    now: number,
  ): Promise<{ index: number; at: number }> {
    await this.clocks(partition);
    const limits = this.#limits(partition, now);
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index] as InboundMessage;
      const at = eventTimeOf(message, now);
      // Only an event the planner accepts moves the partition's watermark (validated only here,
      // where it would wait: a value to be dead-lettered never does).
      if (at !== null && waits(at, limits) && parsedEvent(message.value).ok) return { index, at };
    }
    return { index: messages.length, at: Number.NaN };
  }

  /** The clocks the verdicts partition committed: read from the store once, then kept (`moved`). */
  async clocks(partition: number): Promise<VerdictClocks | null> {
    if (!this.#clocks.has(partition)) this.#clocks.set(partition, await this.#options.load(partition));
    return this.#clocks.get(partition) ?? null;
  }

  /** The newest event time the partition may read: the lead past its least clock (no bound if released). */
  #horizon(partition: number): number {
    const { leadMs, sources } = this.#options;
    if (leadMs === Number.POSITIVE_INFINITY || this.#released.has(partition)) return Number.POSITIVE_INFINITY;
    return leastClock(this.#clocks.get(partition) ?? null, sources) + leadMs;
  }

  /** Read once per batch: the bounds between which an event waits (`waits`). */
  #limits(partition: number, now: number): Limits {
    return { horizon: this.#horizon(partition), live: now - this.#options.liveMs };
  }

  #holds(partition: number, at: number, now: number): boolean {
    return waits(at, this.#limits(partition, now));
  }

  /** The partition paused before an event at `next`; `resume` once its clock lets it go on. */
  wait(partition: number, next: number, resume: () => void, now: number): void {
    if (!this.#holds(partition, next, now)) resume();
    else this.#waiting.set(partition, { next, resume, since: now });
  }

  /** A batch of the verdicts partition committed these clocks. */
  moved(partition: number, clocks: VerdictClocks, now: number): void {
    const { sources } = this.#options;
    const before = leastClock(this.#clocks.get(partition) ?? null, sources);
    this.#clocks.set(partition, clocks);
    if (leastClock(clocks, sources) > before) {
      this.#released.delete(partition);
      const waiting = this.#waiting.get(partition);
      if (waiting !== undefined) waiting.since = now;
    }
    this.#letGo(partition, now);
  }

  /**
   * A batch of the verdicts partition failed, and may have committed all the same (a connection lost
   * during the commit): the clocks it would have moved are in the store or not. They are read again
   * (`recheck`), never written back from memory, where they could be older than the store's.
   */
  forget(partition: number): void {
    this.#clocks.delete(partition);
  }

  /** Before a batch of the verdicts partition: clocks forgotten are read again, and a waiting partition they let through goes on. */
  async recheck(partition: number, now: number): Promise<void> {
    if (this.#clocks.has(partition)) return;
    await this.clocks(partition);
    this.#letGo(partition, now);
  }

  /** Resumes the partition if it waits for an event its clock now lets through. */
  #letGo(partition: number, now: number): void {
    const waiting = this.#waiting.get(partition);
    if (waiting === undefined || this.#holds(partition, waiting.next, now)) return;
    this.#waiting.delete(partition);
    waiting.resume();
  }

  /** A batch failed (the store or the broker): no clock moves meanwhile, so waiting counts from now. */
  failing(now: number): void {
    for (const waiting of this.#waiting.values()) waiting.since = Math.max(waiting.since, now);
  }

  /** Lets go the partitions whose clock has not moved for `stallMs`; they wait again once it moves. */
  releaseStalled(now: number): void {
    for (const [partition, waiting] of this.#waiting) {
      if (now - waiting.since < this.#options.stallMs) continue;
      this.#waiting.delete(partition);
      this.#released.add(partition);
      this.#options.onStall(
        partition,
        leastClock(this.#clocks.get(partition) ?? null, this.#options.sources),
      );
      waiting.resume();
    }
  }

  /** The partitions waiting now. */
  waiting(): number[] {
    return [...this.#waiting.keys()];
  }

  /**
   * Keeps the partitions owned now. A revoked one is resumed: kafkajs keeps a partition paused across
   * rebalances, and this replica may own it again.
   */
  retain(owned: readonly number[]): void {
    for (const partition of [...this.#clocks.keys(), ...this.#waiting.keys()]) {
      if (owned.includes(partition)) continue;
      this.#waiting.get(partition)?.resume();
      this.#clocks.delete(partition);
      this.#waiting.delete(partition);
      this.#released.delete(partition);
    }
  }
}
