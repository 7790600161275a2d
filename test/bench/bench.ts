// What every phase of a run shares: its settings, the broker and its topics, the population produced.
import type { Topics } from "@vigil/events";
import type { Kafka } from "kafkajs";
import type { Results } from "./report.ts";

/** The run's settings as the flags give them; the report keeps the phases as a list. */
export type Settings = Omit<Results["settings"], "phases"> & { phases: Set<string> };

export interface Bench {
  settings: Settings;
  brokers: string[];
  kafka: Kafka;
  /** `bench<6 hex>.`: every topic, group and database of this run is named after it. */
  prefix: string;
  topics: Topics;
  /** The population's events, cached as `key<TAB>json` lines. */
  file: string;
  /** The activity topic's end offsets once the population is produced. */
  dataEnd: Map<number, number>;
  log: (text: string) => void;
}
