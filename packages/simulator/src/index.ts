// @vigil/simulator: realistic, seeded, labelled account activity — benign personas and attacks —
// as a library (this file) and a CLI (cli.ts) that writes JSON lines or produces to Kafka.

export type { Agent, DeviceKind } from "./agents.ts";
export { DESKTOP_AGENTS, MOBILE_AGENTS, SCRIPT_AGENTS } from "./agents.ts";
export type { DemoStoryOptions } from "./demoStory.ts";
export { demoStory, demoVictim } from "./demoStory.ts";
export { formatJsonLines, parseJsonLines } from "./jsonl.ts";
export type { City } from "./places.ts";
export { CITIES } from "./places.ts";
export { generatePopulation } from "./population.ts";
export { Rng } from "./random.ts";
export { generateScenario, HISTORY_DAYS } from "./scenario.ts";
export type {
  AttackName,
  Label,
  LabelledEvent,
  PersonaName,
  PopulationOptions,
  ScenarioName,
  ScenarioOptions,
} from "./types.ts";
export {
  ATTACKS,
  CAMPAIGNS,
  DEFAULT_ATTACK_RATE,
  DEFAULT_START,
  isAttack,
  PERSONAS,
  SCENARIOS,
} from "./types.ts";
