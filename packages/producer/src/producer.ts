import {
  type AccountEvent,
  type AccountEventInput,
  type ContentDeleted,
  type ContentModified,
  type EventType,
  type LoginFailed,
  type LoginSucceeded,
  type SessionEnded,
  type SettingsChanged,
  TOPICS,
} from "@vigil/events";
import { Kafka, logLevel } from "kafkajs";
import { createBatcher } from "./batcher.ts";
import { ProducerClosedError } from "./errors.ts";
import { type EventFields, type PreparedEvent, prepare, withDefaults } from "./prepare.ts";
import { type KeyedMessage, kafkaTransport, type Transport } from "./transport.ts";

export interface ProducerSettings {
  /** Defaults to `account-activity`. */
  topic?: string;
  /** How long an event waits for others to share its request. Default 5 ms. */
  lingerMs?: number;
  /** Most events per request. Default 500. */
  maxBatch?: number;
}

export type ActivityProducerOptions = ProducerSettings &
  (
    | { brokers: string[]; clientId?: string }
    /** An existing client, to share its connections, logging, SSL and SASL settings. */
    | { kafka: Kafka }
  );

/**
 * Each method resolves with the event as sent (defaults filled in) once the broker acknowledged it,
 * and rejects with InvalidEventError before sending anything the detector would dead-letter.
 */
export interface ActivityProducer {
  loginSucceeded(fields: EventFields<"login.succeeded">): Promise<LoginSucceeded>;
  loginFailed(fields: EventFields<"login.failed">): Promise<LoginFailed>;
  settingsChanged(fields: EventFields<"settings.changed">): Promise<SettingsChanged>;
  contentDeleted(fields: EventFields<"content.deleted">): Promise<ContentDeleted>;
  contentModified(fields: EventFields<"content.modified">): Promise<ContentModified>;
  sessionEnded(fields: EventFields<"session.ended">): Promise<SessionEnded>;
  /** Sends a complete event (for example one relayed from elsewhere); nothing is defaulted but `count`. */
  send(event: AccountEventInput): Promise<AccountEvent>;
  /** Sends what is waiting now and resolves when every earlier event has settled. */
  flush(): Promise<void>;
  /** Flushes, then disconnects; later sends reject with ProducerClosedError. */
  close(): Promise<void>;
}

export function createActivityProducer(options: ActivityProducerOptions): ActivityProducer {
  const kafka =
    "kafka" in options
      ? options.kafka
      : new Kafka({
          clientId: options.clientId ?? "vigil-producer",
          brokers: options.brokers,
          logLevel: logLevel.WARN,
        });
  return activityProducerOver(kafkaTransport(kafka), options);
}

/** The producer over any transport: the seam unit tests use instead of a broker. */
export function activityProducerOver(
  transport: Transport,
  settings: ProducerSettings = {},
): ActivityProducer {
  const topic = settings.topic ?? TOPICS.activity;
  const batcher = createBatcher<KeyedMessage>((messages) => transport.sendBatch(topic, messages), {
    lingerMs: settings.lingerMs ?? 5,
    maxBatch: settings.maxBatch ?? 500,
  });
  let closing: Promise<void> | undefined;

  async function send(input: AccountEventInput): Promise<AccountEvent> {
    if (closing !== undefined) throw new ProducerClosedError();
    const { event, key, value }: PreparedEvent = prepare(input);
    await batcher.add({ key, value });
    return event;
  }

  function helper<T extends EventType>(type: T) {
    return (fields: EventFields<T>) =>
      send(withDefaults(type, fields)) as Promise<Extract<AccountEvent, { type: T }>>;
  }

  return {
    loginSucceeded: helper("login.succeeded"),
    loginFailed: helper("login.failed"),
    settingsChanged: helper("settings.changed"),
    contentDeleted: helper("content.deleted"),
    contentModified: helper("content.modified"),
    sessionEnded: helper("session.ended"),
    send,
    flush: () => batcher.flush(),
    close() {
      closing ??= batcher.flush().then(() => transport.close());
      return closing;
    },
  };
}
