// How long to wait after a transient failure (broker, database): one schedule for every retry loop.

const FIRST_MS = 200;
const LONGEST_MS = 10_000;

/** The wait after `attempt` earlier failures: 200 ms doubling to 10 s. */
export function backoffCeilingMs(attempt: number): number {
  return Math.min(LONGEST_MS, FIRST_MS * 2 ** attempt);
}

/** Between half the ceiling and the ceiling, at random, so replicas that failed together do not retry in step. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
