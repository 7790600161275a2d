import { applyFeedback, applySourceVerdict, type SourceVerdict, type UserState } from "@vigil/detection";
import { JsonText } from "@vigil/store";
import { z } from "zod";
import { feedbackSchema } from "../feedback.ts";
import type { InboundMessage } from "../kafka/types.ts";
import { deadLetter, type VerdictClockMark } from "../messages.ts";
import {
  type BatchPlan,
  FlagCollector,
  type MessageList,
  type PlanContext,
  type Planner,
  type PlanRequest,
  serialize,
} from "./context.ts";
import { parseVerdictClock, withMarks } from "./verdictGate.ts";

export const verdictSchema = z.object({
  userId: z.string(),
  code: z.enum(["password_spray", "credential_stuffing"]),
  network: z.string(),
  at: z.number(),
  details: z.record(z.string(), z.unknown()),
});

/**
 * Plans a batch of cross-account verdicts from the by-source stage, which may raise flags, and of
 * the by-source partitions' clocks that follow them (kept for the activity partition: verdictGate.ts).
 */
export const planVerdicts: Planner = async (context, batch) => {
  const marks: VerdictClockMark[] = [];
  const verdicts = batch.messages.filter((message) => {
    const mark = parseVerdictClock(message.value);
    if (mark !== null) marks.push(mark);
    return mark === null;
  });
  const plan = await planUserMessages(
    context,
    { ...batch, messages: verdicts },
    verdictSchema,
    (current, verdict, flags) => {
      const step = applySourceVerdict(current, verdict as SourceVerdict, context.engine);
      flags.add(step.flags, null);
      return step.state;
    },
  );
  if (marks.length === 0) return plan;
  const { partition } = batch;
  const key = { groupId: context.groupId, topic: context.topics.verdicts, partition };
  const clocks = withMarks(await context.verdictGate.clocks(partition), marks);
  if (clocks === null) return plan;
  return {
    ...plan,
    write: { ...plan.write, partitionStates: [{ key, state: clocks }] },
    committed: () => context.verdictGate.moved(partition, clocks, batch.at.getTime()),
  };
};

/** Plans a batch of feedback from analysts and users: it teaches the profile. */
export const planFeedback: Planner = (context, batch) =>
  planUserMessages(context, batch, feedbackSchema, (current, feedback) => {
    if (current === undefined || alreadyVouched(current, feedback)) return undefined;
    return applyFeedback(current, {
      verdict: feedback.verdict,
      sessionId: feedback.sessionId,
      at: Date.parse(feedback.at),
      ...(feedback.by === undefined ? {} : { by: feedback.by }),
    });
  });

/**
 * A batch of an internal user-keyed topic: each valid message applied to its user's state (no
 * change when `apply` answers undefined), the invalid ones dead-lettered.
 */
async function planUserMessages<T extends { userId: string }>(
  context: PlanContext,
  { messages, at }: PlanRequest,
  schema: z.ZodType<T>,
  apply: (current: UserState | undefined, value: T, flags: FlagCollector) => UserState | undefined,
): Promise<BatchPlan> {
  const parsed: { message: InboundMessage; value: T }[] = [];
  const rejected: MessageList = [];
  for (const message of messages) {
    const result = schema.safeParse(safeJson(message.value));
    if (result.success) parsed.push({ message, value: result.data });
    else rejected.push(deadLetter(context.topics, message, "invalid", result.error.message));
  }
  const users = await context.users.load(parsed.map(({ value }) => value.userId));
  const changed = new Map<string, UserState>();
  const flags = new FlagCollector();
  for (const { message, value } of parsed) {
    const current = users.get(value.userId);
    const next = context.poisoned.score(rejected, message, () => apply(current, value, flags));
    if (next === null || next === undefined) continue;
    users.set(value.userId, next);
    changed.set(value.userId, next);
  }
  const committed = serialize(changed);
  return {
    write: {
      userStates: [...committed].map(([userId, text]) => ({ userId, state: new JsonText(text) })),
      flags: flags.records(),
      notices: flags.notices(context.noticeMinSeverity, at.toISOString()),
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
