/**
 * Requests per caller per minute, in memory, per replica. A fixed window: it lets a caller burst up
 * to twice the limit across a window boundary, in exchange for an exact `Retry-After` and memory
 * bounded by the callers of one minute (the previous window's map is dropped whole).
 */
export class RequestBudget {
  readonly #limit: number;
  readonly #windowMs: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #counts = new Map<string, number>();

  constructor(limitPerWindow: number, windowMs = 60_000) {
    this.#limit = limitPerWindow;
    this.#windowMs = windowMs;
  }

  /** Spends one request of `caller`'s budget; when none is left, says how many seconds until there is. */
  take(caller: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const windowStart = nowMs - (nowMs % this.#windowMs);
    if (windowStart !== this.#windowStart) {
      this.#windowStart = windowStart;
      this.#counts = new Map();
    }
    const used = this.#counts.get(caller) ?? 0;
    if (used >= this.#limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + this.#windowMs - nowMs) / 1000));
      return { allowed: false, retryAfterSeconds };
    }
    this.#counts.set(caller, used + 1);
    return { allowed: true };
  }
}
