import { attackerId } from "./attacks/attacker.ts";
import type { Campaign } from "./attacks/campaigns.ts";
import { runCampaign } from "./attacks/plan.ts";
import { ACCOUNT_ATTACKS } from "./attacks/takeovers.ts";
import { livePersona, personaHome } from "./personas.ts";
import { windowOf } from "./population.ts";
import { Rng } from "./random.ts";
import { homeLife, liveRoutine } from "./routine.ts";
import { assemble, DAY, HOUR, Story } from "./story.ts";
import type { AttackName, LabelledEvent, ScenarioName, ScenarioOptions } from "./types.ts";
import { isAttack, SCENARIOS } from "./types.ts";
import type { User } from "./users.ts";
import { makeUser, seedTag, userIdFor } from "./users.ts";

// One story on its own, for tests and demos: a persona's week (two for travellers, so the trip
// fits), or an attack on a victim who first lived a week of ordinary history at home.

/** Days of the victim's own history before an attack. */
export const HISTORY_DAYS = 7;

function personaStory(name: ScenarioName, user: User, rng: Rng, from: number, tag: string): Story {
  // Scopes name the seed and scenario too: ids must not collide when stories are replayed together.
  const story = new Story(`${tag}/${name}/${user.id}`);
  livePersona(
    user,
    story,
    rng.fork("life"),
    from,
    from + (name === "traveller" || name === "roaming_traveller" ? 14 : 7) * DAY,
  );
  return story;
}

/** A small campaign: the victim among a few dozen other (history-less) accounts. */
function smallCampaign(
  name: AttackName,
  story: Story,
  rng: Rng,
  id: string,
  victim: User,
  tag: string,
): Campaign {
  const others = Array.from({ length: 40 }, (_, i) => userIdFor(`${tag}_other`, i));
  const unknown = name === "password_spray" || name === "distributed_spray" ? 10 : 90;
  return {
    story,
    rng,
    attackerId: id,
    targets: rng.shuffle([victim.id, ...others]),
    victims: [victim.id],
    unknown,
  };
}

function attackStory(name: AttackName, victim: User, rng: Rng, at: number, tag: string): Story {
  const id = attackerId(tag, name, 0);
  const story = new Story(`${tag}/${name}/${id}`);
  const account = ACCOUNT_ATTACKS[name];
  if (account !== undefined) {
    account({ victim, story, rng: rng.fork("attack"), at, attackerId: id });
    return story;
  }
  const campaign = smallCampaign(name, story, rng.fork("attack"), id, victim, tag);
  runCampaign(name, campaign, [victim]);
  for (const draft of story.drafts) draft.at = Math.round(draft.at + at);
  return story;
}

/** One scenario's events, labelled and sorted; deterministic in (name, seed, start, userId). */
export function generateScenario(name: ScenarioName, opts: ScenarioOptions): LabelledEvent[] {
  if (!SCENARIOS.includes(name)) throw new RangeError(`unknown scenario: ${name}`);
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer: ${opts.seed}`);
  const { from } = windowOf(opts.start, 1);
  const tag = `${seedTag(opts.seed)}s`;
  const rng = new Rng(`vigil-simulator/scenario/${name}/${opts.seed}`);
  const userId = opts.userId ?? `usr_${tag}_${name}`;
  if (!isAttack(name)) {
    const user = makeUser(
      { id: userId, persona: name, home: personaHome(name, rng.fork("commute")) },
      rng.fork("user"),
    );
    user.sessionsPerWeek = Math.max(user.sessionsPerWeek, 6); // a week that shows the behaviour
    return assemble(personaStory(name, user, rng, from, tag).drafts);
  }
  // The shared VPN exit is aimed at a VPN user, whose history holds the exits.
  const persona = name === "shared_vpn_exit" ? "vpn_user" : "home_user";
  const victim = makeUser({ id: userId, persona }, rng.fork("victim"));
  // Enough history to tell home from abroad, and MFA on where the attack turns it off.
  victim.sessionsPerWeek = Math.max(victim.sessionsPerWeek, 6);
  if (name === "takeover_abroad" || name === "laundering") victim.mfa = true;
  const history = new Story(`${tag}/${name}/${userId}/history`);
  const attackAt = from + HISTORY_DAYS * DAY + rng.between(2, 10) * HOUR;
  if (persona === "home_user") liveRoutine(homeLife(victim, from, attackAt), history, rng.fork("history"));
  else livePersona(victim, history, rng.fork("history"), from, attackAt);
  return assemble([...history.drafts, ...attackStory(name, victim, rng, attackAt, tag).drafts]);
}
