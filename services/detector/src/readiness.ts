/** What the consumer says about itself for /readyz: in its group, and which partitions are stalled. */
export interface ConsumerState {
  member: boolean;
  /** `topic:partition` of each stalled partition. */
  stalled: string[];
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean>;
  stalled?: string[];
}

/** /readyz: ready only while the consumer is in its group, the store answers and no partition is stalled. */
export function readinessOf(consumer: ConsumerState, storeAnswers: boolean): Readiness {
  const checks = {
    consumer: consumer.member,
    store: storeAnswers,
    partitions: consumer.stalled.length === 0,
  };
  return {
    ready: checks.consumer && checks.store && checks.partitions,
    checks,
    ...(consumer.stalled.length > 0 ? { stalled: consumer.stalled } : {}),
  };
}
