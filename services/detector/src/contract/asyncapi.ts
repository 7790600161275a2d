import { DLQ_HEADERS, EVENT_TYPES, type EventType, TOPICS } from "@vigil/events";
import type { JsonSchema } from "@vigil/events/json-schema";
import { DEAD_LETTER_DETAIL_MAX, DEAD_LETTER_REASONS, MESSAGE_ID_HEADER } from "../messages.ts";
import {
  EVENT_EXAMPLES,
  FEEDBACK_EXAMPLE,
  FLAG_EXAMPLE,
  NOTICE_EXAMPLE,
  VERDICT_EXAMPLE,
} from "./examples.ts";
import { contractSchemas } from "./schemas.ts";

/** The schema format of every payload: the JSON Schemas of docs/schemas/ are draft-07. */
const SCHEMA_FORMAT = "application/schema+json;version=draft-07";
const KAFKA_BINDING = "0.5.0";

/** The component name of a schema file: `events/login.succeeded.json` → `events.login.succeeded`. */
export function schemaComponent(file: string): string {
  return file.replace(/\.json$/, "").replaceAll("/", ".");
}

const ref = (path: string) => ({ $ref: `#/${path}` });
const payload = (file: string) => ref(`components/schemas/${schemaComponent(file)}`);
const camel = (name: string) => name.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());

const messageIdHeader = {
  type: "string",
  description: "Stable id of this message: a re-delivery after a crash carries the same id. Drop repeats.",
};
const outgoingHeaders = {
  type: "object",
  properties: { [MESSAGE_ID_HEADER]: messageIdHeader },
  required: [MESSAGE_ID_HEADER],
};

function kafkaKey(description: string) {
  return { kafka: { key: { type: "string", description }, bindingVersion: KAFKA_BINDING } };
}

function eventMessage(type: EventType) {
  return {
    name: type,
    title: type,
    summary: `A \`${type}\` event from a platform backend.`,
    contentType: "application/json",
    payload: payload(`events/${type}.json`),
    bindings: kafkaKey(
      "The account's `userId`; for a failed login on an unknown account, its `accountHint`. One account's events stay in order on one partition.",
    ),
    examples: [{ name: type, payload: EVENT_EXAMPLES[type] }],
  };
}

const deadLetterMessage = {
  name: "dead-letter",
  title: "dead letter",
  summary: "A message Vigil could not accept, with its original key and bytes.",
  description:
    "The value is the original message, byte for byte (it may not be JSON). The original headers are kept and these are added.",
  contentType: "application/octet-stream",
  headers: {
    type: "object",
    properties: {
      [DLQ_HEADERS.reason]: {
        type: "string",
        enum: [...DEAD_LETTER_REASONS],
        description: "Why it was rejected",
      },
      [DLQ_HEADERS.detail]: {
        type: "string",
        maxLength: DEAD_LETTER_DETAIL_MAX,
        description: "What was wrong, naming every failing field",
      },
      [DLQ_HEADERS.sourceTopic]: { type: "string", description: "Where the message was read" },
      [DLQ_HEADERS.sourcePartition]: { type: "string", pattern: "^[0-9]+$" },
      [DLQ_HEADERS.sourceOffset]: { type: "string", pattern: "^[0-9]+$" },
      [MESSAGE_ID_HEADER]: messageIdHeader,
    },
    required: [
      DLQ_HEADERS.reason,
      DLQ_HEADERS.detail,
      DLQ_HEADERS.sourceTopic,
      DLQ_HEADERS.sourcePartition,
      DLQ_HEADERS.sourceOffset,
      MESSAGE_ID_HEADER,
    ],
  },
  payload: { description: "The rejected message's original value" },
  bindings: kafkaKey("The rejected message's original key"),
  examples: [
    {
      name: "invalid",
      headers: {
        [DLQ_HEADERS.reason]: "invalid",
        [DLQ_HEADERS.detail]: "ip: must be an IPv4 or IPv6 address",
        [DLQ_HEADERS.sourceTopic]: TOPICS.activity,
        [DLQ_HEADERS.sourcePartition]: "3",
        [DLQ_HEADERS.sourceOffset]: "1842",
        [MESSAGE_ID_HEADER]: `dlq:${TOPICS.activity}:3:1842`,
      },
      payload: JSON.stringify({ ...EVENT_EXAMPLES["login.succeeded"], ip: "300.1.1.1" }),
    },
  ],
};

function published(name: string, summary: string, file: string, key: string, example: unknown) {
  return {
    name,
    title: name,
    summary,
    contentType: "application/json",
    headers: outgoingHeaders,
    payload: payload(file),
    bindings: kafkaKey(key),
    examples: [{ name, headers: { [MESSAGE_ID_HEADER]: `${name}:example` }, payload: example }],
  };
}

const channelMessages = {
  activity: Object.fromEntries(EVENT_TYPES.map((type) => [camel(type), eventMessage(type)])),
  deadLetter: { deadLetter: deadLetterMessage },
  bySource: {
    login: published(
      "login-by-source",
      "A login (succeeded or failed) re-keyed by its source network, value byte for byte as received.",
      "account-event.json",
      "The /24 (IPv4) or /48 (IPv6) network of the login's address",
      EVENT_EXAMPLES["login.failed"],
    ),
  },
  verdicts: {
    verdict: published(
      "verdict",
      "A cross-account verdict (spray or stuffing) about one targeted user.",
      "internal/verdict.json",
      "userId",
      VERDICT_EXAMPLE,
    ),
  },
  feedback: {
    feedback: published(
      "feedback",
      "An analyst's resolution or a user's answer to a notice, on its way to the user's profile.",
      "internal/feedback.json",
      "userId",
      FEEDBACK_EXAMPLE,
    ),
  },
  flags: {
    flag: published(
      "flag",
      "A flag, each time it is created or changes.",
      "flag.json",
      "userId",
      FLAG_EXAMPLE,
    ),
  },
  notices: {
    notice: published(
      "notice",
      "A suspicious-session notice for the user; never an IP address, token, link or password request.",
      "notice.json",
      "userId",
      NOTICE_EXAMPLE,
    ),
  },
} satisfies Record<keyof typeof TOPICS, Record<string, unknown>>;

const channelDescriptions: Record<keyof typeof TOPICS, string> = {
  activity: "Account activity from platform backends: one JSON event per message, at most 64 KiB.",
  deadLetter:
    "Messages from account-activity (and the internal topics) that Vigil rejected, with the reason.",
  bySource: "Internal: logins keyed by source network, for spray and credential stuffing.",
  verdicts: "Internal: cross-account verdicts keyed by user; co-partitioned with account-activity.",
  feedback:
    "Internal: analysts' resolutions and users' answers keyed by user; co-partitioned with account-activity.",
  flags: "Flags raised by Vigil, for trust and safety tooling.",
  notices: "Notices for end users, to be delivered by the platform (mail, in-app).",
};

/** Who sends and who receives on each topic, seen from Vigil. */
const OPERATIONS: [
  name: string,
  action: "send" | "receive",
  channel: keyof typeof TOPICS,
  summary: string,
][] = [
  ["receiveActivity", "receive", "activity", "Vigil scores every event"],
  ["sendDeadLetter", "send", "deadLetter", "Vigil dead-letters what it cannot accept"],
  ["sendBySource", "send", "bySource", "Vigil re-keys each accepted login by source network"],
  ["receiveBySource", "receive", "bySource", "Vigil keeps per-source state"],
  ["sendVerdict", "send", "verdicts", "Vigil tells each targeted user's stream"],
  ["receiveVerdict", "receive", "verdicts", "Vigil raises flags from verdicts"],
  ["sendFeedback", "send", "feedback", "Vigil forwards resolutions and answers"],
  ["receiveFeedback", "receive", "feedback", "Vigil teaches the user's profile"],
  ["sendFlag", "send", "flags", "Vigil publishes flags"],
  ["sendNotice", "send", "notices", "Vigil publishes notices"],
];

/**
 * The AsyncAPI 3.0 document of every topic Vigil reads and writes, built from the topic names, the
 * headers and the same JSON Schemas as docs/schemas/. Written to docs/asyncapi.yaml and served at
 * /asyncapi.json.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const schemas: Record<string, { schemaFormat: string; schema: JsonSchema }> = {};
  for (const [file, schema] of Object.entries(contractSchemas())) {
    schemas[schemaComponent(file)] = { schemaFormat: SCHEMA_FORMAT, schema };
  }
  const channels = Object.fromEntries(
    (Object.keys(TOPICS) as (keyof typeof TOPICS)[]).map((id) => [
      id,
      {
        address: TOPICS[id],
        description: channelDescriptions[id],
        messages: channelMessages[id],
        bindings: { kafka: { topic: TOPICS[id], bindingVersion: KAFKA_BINDING } },
      },
    ]),
  );
  const operations = Object.fromEntries(
    OPERATIONS.map(([name, action, channel, summary]) => [
      name,
      {
        action,
        summary,
        channel: ref(`channels/${channel}`),
        messages: Object.keys(channelMessages[channel]).map((m) => ref(`channels/${channel}/messages/${m}`)),
      },
    ]),
  );
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Vigil",
      version: "1.0.0",
      description: `Account-takeover detection on Kafka. Platform backends write account activity; Vigil writes flags and notices.

Topic names are those of the contract; a deployment may prefix them all (KAFKA_TOPIC_PREFIX). Every message Vigil writes carries a \`${MESSAGE_ID_HEADER}\` header. The payload schemas are the JSON Schemas (draft-07) of docs/schemas/.`,
    },
    defaultContentType: "application/json",
    servers: {
      kafka: {
        host: "localhost:9092",
        protocol: "kafka",
        description: "The cluster named by KAFKA_BROKERS",
      },
    },
    channels,
    operations,
    components: { schemas },
  };
}
