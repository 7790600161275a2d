import { AssignerProtocol, type PartitionAssigner } from "kafkajs";

/**
 * Gives one member the same partition number of every subscribed topic, as Kafka Streams does for
 * co-partitioned topics: a user's events and the verdicts about that user (same key, same partition
 * count) are then handled by one replica, which owns that user's state.
 */
export const coPartitioned: PartitionAssigner = ({ cluster }) => ({
  name: "VigilCoPartitioned",
  version: 1,
  protocol: ({ topics }) => ({
    name: "VigilCoPartitioned",
    metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
  }),
  async assign({ members, topics }) {
    const memberIds = members.map((m) => m.memberId).sort();
    const partitions = new Map(
      topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId)]),
    );
    const plan = coPartitionedPlan(memberIds, partitions);
    return memberIds.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: plan.get(memberId) ?? {},
        userData: Buffer.alloc(0),
      }),
    }));
  },
});

/** Partition p of every topic goes to member p mod n (members in a stable order). */
export function coPartitionedPlan(
  memberIds: string[],
  partitions: Map<string, number[]>,
): Map<string, Record<string, number[]>> {
  const plan = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
  for (const [topic, numbers] of partitions) {
    for (const partition of numbers) {
      const owner = plan.get(memberIds[partition % memberIds.length] as string);
      if (owner) owner[topic] = [...(owner[topic] ?? []), partition];
    }
  }
  return plan;
}
