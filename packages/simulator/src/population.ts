import { planAttacks } from "./attacks/plan.ts";
import { livePersona, personaHome } from "./personas.ts";
import { Rng } from "./random.ts";
import type { Draft } from "./story.ts";
import { assemble, DAY, Story } from "./story.ts";
import type { LabelledEvent, PersonaName, PopulationOptions } from "./types.ts";
import { DEFAULT_ATTACK_RATE, DEFAULT_START } from "./types.ts";
import type { User } from "./users.ts";
import { makeUser, seedTag, userIdFor } from "./users.ts";

// A whole user base over a window of days: mostly ordinary people at home, some who travel,
// commute, change phones or tidy up, and a share of accounts that get attacked.

/**
 * Most users are ordinary; each odd-but-benign behaviour is a few percent, roughly as common as it
 * is among the users of a consumer service in a month (VPN users and roaming travellers are not rare).
 */
const PERSONA_MIX: readonly (readonly [PersonaName, number])[] = [
  ["home_user", 55],
  ["commuter", 6],
  ["traveller", 4],
  ["roaming_traveller", 4],
  ["new_phone", 3],
  ["password_typos", 4],
  ["ipv6_rotating", 4],
  ["new_user", 3],
  ["photo_cleanup", 2],
  ["vpn_user", 5],
  ["carrier_hopper", 3],
  ["forgot_password", 3],
  ["new_phone_secured", 2],
  ["big_cleanup", 2],
];

export interface Window {
  from: number;
  to: number;
}

/** The window in ms; throws on options no caller could mean. */
export function windowOf(start: string | undefined, days: number): Window {
  const from = Date.parse(start ?? DEFAULT_START);
  if (Number.isNaN(from)) throw new RangeError(`start is not an ISO timestamp: ${start}`);
  if (!(days > 0) || !Number.isFinite(days)) throw new RangeError(`days must be a positive number: ${days}`);
  return { from, to: from + days * DAY };
}

function checkOptions(opts: PopulationOptions): void {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer: ${opts.seed}`);
  if (!Number.isSafeInteger(opts.users) || opts.users < 0) {
    throw new RangeError(`users must be a non-negative integer: ${opts.users}`);
  }
  const rate = opts.attackRate ?? DEFAULT_ATTACK_RATE;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`attackRate must be within [0, 1]: ${opts.attackRate}`);
}

/** The population's users, each from its own named random stream. */
export function makeUsers(seed: number, count: number): User[] {
  const root = new Rng(`vigil-simulator/${seed}`);
  const tag = seedTag(seed);
  return Array.from({ length: count }, (_, index) => {
    const rng = root.fork(`user/${index}`);
    const persona = rng.weighted(PERSONA_MIX);
    return makeUser(
      { id: userIdFor(tag, index), persona, home: personaHome(persona, rng.fork("commute")) },
      rng,
    );
  });
}

/**
 * Every user's events over `days` from `start`, merged with the attacks, sorted by occurredAt.
 * Deterministic: the same options give the same events, ids and labels, byte for byte.
 */
export function generatePopulation(opts: PopulationOptions): LabelledEvent[] {
  checkOptions(opts);
  const { from, to } = windowOf(opts.start, opts.days);
  const root = new Rng(`vigil-simulator/${opts.seed}`);
  const tag = seedTag(opts.seed);
  const users = makeUsers(opts.seed, opts.users);
  const drafts: Draft[] = [];
  users.forEach((user, index) => {
    const story = new Story(`${tag}/user/${index}`);
    livePersona(user, story, root.fork(`life/${index}`), from, to);
    for (const draft of story.drafts) drafts.push(draft);
  });
  const attackRate = opts.attackRate ?? DEFAULT_ATTACK_RATE;
  // Loops, not push(...spread): a large campaign would exceed the engine's argument limit.
  for (const draft of planAttacks({ users, rng: root.fork("attacks"), tag, attackRate, from, to }))
    drafts.push(draft);
  // What lasts days (a slow wipe, a patient takeover, a device that fails with the old password the
  // next day) is cut at the window's end, as a capture would cut it.
  return assemble(drafts.filter((draft) => draft.at < to));
}
