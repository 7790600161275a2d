// @vigil/detection: the pure scoring engine. Event time only, no I/O, no clock, no randomness.
export type { DetectionConfig, DetectionConfigOverrides, Level } from "./config.ts";
export { configure, defaultDetectionConfig, LEVELS, severityForScore } from "./config.ts";
export type { DeviceInfo } from "./device.ts";
export { deviceInfo } from "./device.ts";
export type { Feedback } from "./feedback.ts";
export { applyFeedback } from "./feedback.ts";
export type { FlagUpdate } from "./flag.ts";
export type { Observation } from "./observation.ts";
export { observe } from "./observation.ts";
export type { PopulationState } from "./population.ts";
export { emptyPopulation } from "./population.ts";
export type { Source, SourceScope, SourceState, SourceVerdict } from "./source.ts";
export { asnSourceKey, closeSource, dueAt, observeSource, sourceOf } from "./source.ts";
export type { PartitionWatermark, SourceClock } from "./sourceClock.ts";
export {
  clockOf,
  closeDue,
  dueSources,
  emptyClock,
  idleWatermark,
  lateForSources,
  markPartition,
  observeSourceOnClock,
  partitionWatermark,
  sourceOfKey,
  sourcesOf,
} from "./sourceClock.ts";
export { observeUser } from "./user.ts";
export type { UserState, UserStep } from "./userState.ts";
export { initialUserState } from "./userState.ts";
export { applySourceVerdict } from "./verdicts.ts";
