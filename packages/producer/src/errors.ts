/** One failing field of an event: `path` is dotted (`occurredAt`), empty for the event as a whole. */
export interface EventIssue {
  path: string;
  message: string;
}

/**
 * An event the detector would dead-letter. Raised before anything is sent, so the caller's bug
 * surfaces in the caller's stack instead of in the detector's dead-letter topic.
 */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  readonly issues: readonly EventIssue[];
  /** The type the caller meant, when it was a string. */
  readonly eventType: string | undefined;

  constructor(issues: readonly EventIssue[], eventType: string | undefined) {
    const fields = issues.map((i) => `${i.path === "" ? "(event)" : i.path}: ${i.message}`).join("; ");
    super(`invalid ${eventType ?? "account"} event: ${fields}`);
    this.issues = issues;
    this.eventType = eventType;
  }
}

/** Raised by sends after `close()`: the events would otherwise wait forever for a flush. */
export class ProducerClosedError extends Error {
  override readonly name = "ProducerClosedError";
  constructor() {
    super("the activity producer is closed");
  }
}
