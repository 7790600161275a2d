import { applyFeedback, applySourceVerdict, type SourceVerdict, type UserState } from "@vigil/detection";
import { JsonText } from "@vigil/store";
import { z } from "zod";
import { feedbackSchema } from "../feedback.ts";
import type { InboundMessage } from "../kafka.ts";
import {
  type BatchPlan,
  FlagCollector,
  type MessageList,
  type PlanContext,
  scoreSafely,
  serialize,
} from "./context.ts";
import { deadLetter } from "./messages.ts";

export const verdictSchema = z.object({
  userId: z.string(),
  code: z.enum(["password_spray", "credential_stuffing"]),
  network: z.string(),
  at: z.number(),
  details: z.record(z.string(), z.unknown()),
});

/**
 * Plans a batch of the internal user-keyed topics: cross-account verdicts (which may raise flags)
 * and feedback from analysts and users (which teaches the profile).
 */
export async function planUserMessages(
  context: PlanContext,
  topic: string,
  partition: number,
  messages: InboundMessage[],
  now: Date,
): Promise<BatchPlan> {
  const schema = topic === context.topics.verdicts ? verdictSchema : feedbackSchema;
  const parsed: { message: InboundMessage; value: z.output<typeof schema> }[] = [];
  const rejected: MessageList = [];
  for (const message of messages) {
    const result = schema.safeParse(safeJson(message.value));
    if (result.success) parsed.push({ message, value: result.data });
    else rejected.push(deadLetter(context.topics, message, "invalid", result.error.message));
  }
  const users = await context.users.load(
    partition,
    parsed.map(({ value }) => value.userId),
  );
  const changed = new Map<string, UserState>();
  const flags = new FlagCollector();
  for (const { message, value } of parsed) {
    const current = users.get(value.userId);
    const next = scoreSafely(context, rejected, message, (): UserState | undefined => {
      if ("code" in value) {
        const step = applySourceVerdict(current, value as SourceVerdict, context.engine);
        flags.add(step.flags, null);
        return step.state;
      }
      if (current === undefined || alreadyVouched(current, value)) return undefined;
      return applyFeedback(current, {
        verdict: value.verdict,
        sessionId: value.sessionId,
        at: Date.parse(value.at),
        ...(value.by === undefined ? {} : { by: value.by }),
      });
    });
    if (next === null || next === undefined) continue;
    users.set(value.userId, next);
    changed.set(value.userId, next);
  }
  const committed = serialize(changed);
  return {
    write: {
      userStates: [...committed].map(([userId, text]) => ({ userId, state: new JsonText(text) })),
      flags: flags.records(),
      notices: flags.notices(context.noticeMinSeverity, now.toISOString()),
      messages: rejected,
    },
    users: committed,
    touched: [...users.keys()],
  };
}

/**
 * Feedback arrives at least once (published from the outbox, again after a crash). Applying a
 * "legitimate" to a session already vouched for would trust its place and device a second time;
 * every other feedback is idempotent already.
 */
function alreadyVouched(state: UserState, feedback: { verdict: string; sessionId: string | null }): boolean {
  return (
    feedback.verdict === "legitimate" &&
    state.sessions.some((session) => session.id === feedback.sessionId && session.status === "legitimate")
  );
}

function safeJson(value: Buffer | null): unknown {
  try {
    return JSON.parse(value?.toString("utf8") ?? "");
  } catch {
    return undefined;
  }
}
