/**
 * When each by-source partition's clock last moved, in wall time, as this process saw it. A clock
 * that has not moved for the stall time (`PARTITION_STALL_SECONDS`, the time that makes a partition
 * stalled for `/readyz`) is held by an activity partition that neither publishes nor says it is
 * idle, and busy sources stop waiting for it (`source.maxHoldMs`, sourceClock.ts). A clock first
 * seen counts as moving then: a restart after downtime is a catch-up, not a stall.
 */
export class ClockMotion {
  readonly #seen = new Map<number, { watermark: number; at: number; told: boolean }>();
  readonly #stallMs: number;
  readonly #onStall: (partition: number, watermark: number) => void;

  /** `onStall`: told once when a clock is first found stalled, again only after it moved. */
  constructor(stallMs: number, onStall: (partition: number, watermark: number) => void = () => {}) {
    this.#stallMs = stallMs;
    this.#onStall = onStall;
  }

  /** A batch failed (the store or the broker): no clock moves meanwhile, so stillness counts from now. */
  failing(now: number): void {
    for (const known of this.#seen.values()) known.at = Math.max(known.at, now);
  }

  /** Whether the clock of by-source `partition`, now at `watermark`, has stopped moving. */
  stalled(partition: number, watermark: number, now: number): boolean {
    const known = this.#seen.get(partition);
    if (known === undefined || watermark > known.watermark) {
      this.#seen.set(partition, { watermark, at: now, told: false });
      return false;
    }
    if (now - known.at < this.#stallMs) return false;
    if (!known.told) {
      known.told = true;
      this.#onStall(partition, watermark);
    }
    return true;
  }
}
