import {
  addressesIn,
  type Device,
  Dice,
  device,
  HOMES,
  LAPTOP_AGENTS,
  neighbour,
  PHONE_AGENTS,
  sameCarrier,
  type Town,
} from "./world.ts";

// One holdout account: an owner with a home network, a mobile carrier, a laptop and a phone, and a
// few weeks of ordinary use; the story under test is written after that history.

export interface HoldoutEvent {
  event: Record<string, unknown>;
  label: { scenario: string; attack: boolean; actor: string; userId?: string; sessionId?: string };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export class Account {
  readonly userId: string;
  readonly dice: Dice;
  readonly home: Town;
  readonly homeIp: string;
  readonly carrier: readonly string[];
  readonly laptop: Device;
  readonly phone: Device;
  readonly events: HoldoutEvent[] = [];
  scenario = "history";
  /** Whether the story being written is an attack: its events are the attacker's, bar the owner's logins. */
  scenarioAttack = false;
  #serial = 0;

  constructor(index: number, seed: number) {
    this.dice = new Dice(seed * 7919 + index * 104729 + 1);
    this.userId = `h-${seed}-${index}`;
    this.home = this.dice.pick(HOMES);
    const city = addressesIn(this.home);
    this.homeIp = this.dice.pick(city);
    const country = addressesIn({ country: this.home.country });
    const carrierAnchor = this.dice.pick(country);
    this.carrier = sameCarrier(country, carrierAnchor);
    this.laptop = device(LAPTOP_AGENTS, this.dice);
    this.phone = device(PHONE_AGENTS, this.dice);
  }

  id(prefix: string): string {
    this.#serial += 1;
    return `${prefix}-${this.userId}-${this.#serial}`;
  }

  /** The home router's address on a given renewal: mostly the same /24. */
  homeAddress(): string {
    return this.dice.chance(0.8) ? this.homeIp : neighbour(this.homeIp, this.dice);
  }

  carrierAddress(): string {
    return this.dice.pick(this.carrier);
  }

  /** An event of the story being written: the attacker's in an attack, unless told otherwise. */
  emit(
    at: number,
    event: Record<string, unknown>,
    attack = this.scenarioAttack,
    actor = attack ? "attacker" : "owner",
  ): void {
    const sessionId = event.sessionId as string | undefined;
    this.events.push({
      event: { id: this.id("e"), occurredAt: new Date(at).toISOString(), userId: this.userId, ...event },
      label: {
        scenario: this.scenario,
        attack,
        actor,
        userId: this.userId,
        ...(sessionId === undefined ? {} : { sessionId }),
      },
    });
  }

  login(at: number, ip: string, dev: Device, extra: Record<string, unknown> = {}, attack = false): string {
    const sessionId = this.id("s");
    this.emit(
      at,
      { type: "login.succeeded", sessionId, ip, ...dev, method: "password", mfa: false, ...extra },
      attack,
    );
    return sessionId;
  }

  /** Three to five weeks of ordinary use, ending at `until`. */
  history(start: number, until: number): void {
    const dice = this.dice;
    for (let day = start; day + DAY <= until; day += DAY) {
      if (dice.chance(0.75)) {
        const at = day + dice.int(17, 22) * HOUR + dice.int(0, 59) * MINUTE;
        const s = this.login(at, this.homeAddress(), this.laptop);
        if (dice.chance(0.3))
          this.emit(at + dice.int(2, 40) * MINUTE, {
            type: "content.modified",
            sessionId: s,
            contentType: "photo",
            count: dice.int(1, 4),
          });
        if (dice.chance(0.15))
          this.emit(at + dice.int(5, 50) * MINUTE, {
            type: "content.deleted",
            sessionId: s,
            contentType: "photo",
            count: dice.int(1, 3),
          });
        if (dice.chance(0.4))
          this.emit(at + dice.int(30, 90) * MINUTE, {
            type: "session.ended",
            sessionId: s,
            reason: "logout",
          });
      }
      for (let n = dice.int(0, 2); n > 0; n--) {
        const at = day + dice.int(7, 23) * HOUR + dice.int(0, 59) * MINUTE;
        const onWifi = at % DAY > 18 * HOUR && dice.chance(0.6);
        this.login(at, onWifi ? this.homeAddress() : this.carrierAddress(), this.phone, { method: "token" });
      }
    }
  }
}
