import type { AccountEvent } from "@vigil/events";
import { generatePopulation } from "./population.ts";
import { generateScenario } from "./scenario.ts";
import type { LabelledEvent } from "./types.ts";

export interface DemoStoryOptions {
  seed: number;
  users: number;
  days: number;
  /** When the story's last event happens (ms since the epoch); event time drives detection. */
  endAt: number;
}

/** The demo's victim: the account taken over from abroad at the end of the story. */
export const demoVictim = (seed: number) => `demo-victim-${seed}`;

/**
 * The live demo's stream: a small population's routine and, ending with it, a takeover from abroad
 * (the victim's own history, then the attack), each moved so that its last event happens at
 * `endAt`, and merged in event-time order. The takeover is the latest activity of the stream.
 */
export function demoStory(options: DemoStoryOptions): AccountEvent[] {
  const population = generatePopulation({ seed: options.seed, users: options.users, days: options.days });
  const takeover = generateScenario("takeover_abroad", {
    seed: options.seed,
    userId: demoVictim(options.seed),
  });
  const events = [...endingAt(population, options.endAt), ...endingAt(takeover, options.endAt)];
  return events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
}

function endingAt(story: LabelledEvent[], endAt: number): AccountEvent[] {
  const last = Math.max(...story.map((e) => Date.parse(e.event.occurredAt)));
  const shift = endAt - last;
  return story.map(({ event }) => ({
    ...event,
    occurredAt: new Date(Date.parse(event.occurredAt) + shift).toISOString(),
  }));
}
