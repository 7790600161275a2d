import type { Topics } from "@vigil/events";
import { planActivity } from "./activity.ts";
import type { Planner } from "./context.ts";
import { planSources } from "./sources.ts";
import { planFeedback, planVerdicts } from "./userTopics.ts";

/**
 * How a consumed topic's partitions are counted: the anchor's partitions bound the replicas; a
 * co-partitioned topic has as many, so that one replica owns partition p of each (its users); an
 * independent topic is keyed by something else and counted on its own.
 */
export type Partitioning = "anchor" | "coPartitioned" | "independent";

export interface TopicRole {
  partitioning: Partitioning;
  /**
   * The state a batch changes, which names its lock (`<lock>:<partition>`): batches with the same
   * lock run one after another, so the user-keyed topics of a partition never change a user at once.
   */
  lock: "user" | "source";
  plan: Planner;
  /**
   * Its partitions keep a population and a watermark towards the by-source stage in memory between
   * batches: started, ended and committed with each batch, forgotten with a failed one.
   */
  progress: boolean;
}

/**
 * What each consumed topic does (docs/architecture.md, "Topics and their roles"): the consumed
 * topics, the topics created at start, the dispatch of batches and their locks all derive from it.
 */
export const TOPIC_ROLES = {
  activity: { partitioning: "anchor", lock: "user", plan: planActivity, progress: true },
  verdicts: { partitioning: "coPartitioned", lock: "user", plan: planVerdicts, progress: false },
  feedback: { partitioning: "coPartitioned", lock: "user", plan: planFeedback, progress: false },
  bySource: { partitioning: "independent", lock: "source", plan: planSources, progress: false },
} as const satisfies Partial<Record<keyof Topics, TopicRole>>;

type Consumed = keyof typeof TOPIC_ROLES;
const CONSUMED = Object.keys(TOPIC_ROLES) as Consumed[];

/** The topics the service consumes. */
export function consumedTopics(topics: Topics): string[] {
  return CONSUMED.map((name) => topics[name]);
}

const withPartitioning = (topics: Topics, partitioning: Partitioning): string[] =>
  CONSUMED.filter((name) => TOPIC_ROLES[name].partitioning === partitioning).map((name) => topics[name]);

/** The topic whose partitions bound the replicas and own the users. */
export function anchorTopic(topics: Topics): string {
  const [anchor] = withPartitioning(topics, "anchor");
  if (anchor === undefined) throw new Error("no anchor topic");
  return anchor;
}

/** What the service creates at start (kafka's `ensureTopics`): the consumed topics and those it publishes. */
export function topicPlan(topics: Topics) {
  return {
    anchor: anchorTopic(topics),
    coPartitioned: withPartitioning(topics, "coPartitioned"),
    others: [...withPartitioning(topics, "independent"), topics.flags, topics.notices],
    deadLetter: topics.deadLetter,
  };
}

/** Each consumed topic's role, by its name with the deployment's prefix. */
export class TopicRoles {
  readonly #byName: Map<string, TopicRole>;

  constructor(topics: Topics) {
    this.#byName = new Map(CONSUMED.map((name) => [topics[name], TOPIC_ROLES[name]]));
  }

  of(topic: string): TopicRole {
    const role = this.#byName.get(topic);
    if (role === undefined) throw new Error(`${topic} is not a consumed topic`);
    return role;
  }

  lockOf(topic: string, partition: number): string {
    return `${this.of(topic).lock}:${partition}`;
  }
}
