import type { LabelledEvent } from "./types.ts";

// For live demos only (the CLI's --timeshift): the library's output never depends on the clock.
// Detection runs on event time, so a replayed story must look as if it were happening now.

/** The items with every occurredAt moved by the same amount, so that the last one is at `lastAt`. */
export function shiftToEndAt(items: readonly LabelledEvent[], lastAt: number): LabelledEvent[] {
  let last = Number.NEGATIVE_INFINITY;
  for (const { event } of items) last = Math.max(last, Date.parse(event.occurredAt));
  if (!Number.isFinite(last)) return [...items];
  const delta = lastAt - last;
  return items.map(({ event, label }) => ({
    event: { ...event, occurredAt: new Date(Date.parse(event.occurredAt) + delta).toISOString() },
    label,
  }));
}

/** "now" → the wall clock; anything else is an ISO timestamp. */
export function resolveTimeshift(target: string, now: () => number = Date.now): number {
  return target === "now" ? now() : Date.parse(target);
}
