import type { AccountEvent, ContentType, LoginSucceeded, Setting, SettingsChanged } from "@vigil/events";
import { hashHex } from "./random.ts";
import type { Label, LabelledEvent } from "./types.ts";

// A story is the events one actor (a user's routine, an attack, a campaign) produces, in causal
// order, each stamped with milliseconds since the epoch. Stories are merged and sorted only at the
// end, so each can be written as straight-line code that moves its own clock forward.

type WithoutStamp<E> = E extends AccountEvent ? Omit<E, "id" | "occurredAt"> : never;
export type EventBody = WithoutStamp<AccountEvent>;

export interface Draft {
  id: string;
  at: number;
  body: EventBody;
  label: Label;
}

/** Where and how a request reached the platform. */
export interface Access {
  ip: string;
  userAgent?: string;
  deviceId?: string;
}

/** Who does it, as the label will say: the event's userId and session are filled in per event. */
export interface Role {
  scenario: string;
  attack: boolean;
  actor: string;
  /** The session shows the persona's odd behaviour (see Label.focus). */
  focus?: true;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

function label(role: Role, userId: string | undefined, sessionId: string | undefined): Label {
  const result: Label = { scenario: role.scenario, attack: role.attack, actor: role.actor };
  if (userId !== undefined) result.userId = userId;
  if (sessionId !== undefined) result.sessionId = sessionId;
  if (role.focus === true) result.focus = true;
  return result;
}

function accessFields(access: Access): Access {
  const fields: Access = { ip: access.ip };
  if (access.userAgent !== undefined) fields.userAgent = access.userAgent;
  if (access.deviceId !== undefined) fields.deviceId = access.deviceId;
  return fields;
}

export class Story {
  readonly scope: string;
  readonly drafts: Draft[] = [];
  #events = 0;
  #sessions = 0;

  /** `scope` must be unique in the whole output (it includes the seed): ids are derived from it. */
  constructor(scope: string) {
    this.scope = scope;
  }

  push(at: number, body: EventBody, role: Role, userId = body.userId, sessionId = body.sessionId): void {
    const id = `evt_${hashHex(`${this.scope}#${this.#events++}`, 96)}`;
    this.drafts.push({ id, at: Math.round(at), body, label: label(role, userId, sessionId) });
  }

  newSessionId(): string {
    return `ses_${hashHex(`${this.scope}@${this.#sessions++}`, 96)}`;
  }

  /** A failed login on a known account. */
  loginFailed(
    at: number,
    role: Role,
    userId: string,
    access: Access,
    reason: "bad_password" | "mfa_failed" | "locked",
  ): void {
    this.push(at, { type: "login.failed", userId, ...accessFields(access), reason }, role);
  }

  /** A failed login naming an account that does not exist: keyed by the hint, labelled without a user. */
  unknownAccount(at: number, role: Role, accountHint: string, access: Access): void {
    this.push(
      at,
      { type: "login.failed", ...accessFields(access), reason: "unknown_account", accountHint },
      role,
    );
  }

  login(at: number, role: Role, userId: string, access: Access, how: LoginHow = {}): Session {
    return Session.open(this, at, role, userId, access, how);
  }

  /**
   * A session opened before the stream began (a "remember me" cookie months old): it has no login
   * event here, and its first event is whatever its holder does at `at`.
   */
  openedEarlier(at: number, role: Role, userId: string, access: Access): Session {
    return new Session({ id: this.newSessionId(), userId, story: this, at, ended: false }, role, access);
  }
}

export interface LoginHow {
  method?: "password" | "sso" | "passkey" | "token";
  mfa?: boolean;
}

/** What the two holders of one session cookie share: its id, its clock and whether it ended. */
interface SessionCore {
  id: string;
  userId: string;
  story: Story;
  at: number;
  ended: boolean;
}

/**
 * One session: opens with login.succeeded; every later event carries the same address and device,
 * unless someone else replays its cookie (`replayedBy`), whose events carry their own.
 */
export class Session {
  readonly role: Role;
  readonly access: Access;
  #core: SessionCore;

  /** Use Story.login to open a session, Session.replayedBy to share one. */
  constructor(core: SessionCore, role: Role, access: Access) {
    this.#core = core;
    this.role = role;
    this.access = accessFields(access);
  }

  /** Opens a session with its login.succeeded event. */
  static open(story: Story, at: number, role: Role, userId: string, access: Access, how: LoginHow): Session {
    const session = new Session({ id: story.newSessionId(), userId, story, at, ended: false }, role, access);
    const login: WithoutStamp<LoginSucceeded> = {
      type: "login.succeeded",
      userId,
      sessionId: session.id,
      ...session.access,
    };
    if (how.method !== undefined) login.method = how.method;
    if (how.mfa !== undefined) login.mfa = how.mfa;
    story.push(at, login, role);
    return session;
  }

  get id(): string {
    return this.#core.id;
  }

  get userId(): string {
    return this.#core.userId;
  }

  /** Time of the latest event of the session, whoever wrote it; actions move it forward. */
  get at(): number {
    return this.#core.at;
  }

  /**
   * The same session used by someone else (a stolen cookie): same id and clock, their own address
   * and user agent, their own label. No login event: the cookie is already signed in.
   */
  replayedBy(role: Role, access: Access): Session {
    return new Session(this.#core, role, access);
  }

  #base(after: number) {
    if (this.#core.ended) throw new Error(`session ${this.id} already ended`);
    this.#core.at += Math.max(1, Math.round(after));
    return { userId: this.userId, sessionId: this.id, ...this.access };
  }

  change(
    after: number,
    setting: Setting,
    action?: "updated" | "enabled" | "disabled" | "added" | "removed",
  ): this {
    const body: WithoutStamp<SettingsChanged> = { type: "settings.changed", ...this.#base(after), setting };
    if (action !== undefined) body.action = action;
    this.#core.story.push(this.at, body, this.role);
    return this;
  }

  modify(after: number, contentType: ContentType, count = 1): this {
    // The clock moves first: the event happens `after` the previous one.
    const base = this.#base(after);
    this.#core.story.push(this.at, { type: "content.modified", ...base, contentType, count }, this.role);
    return this;
  }

  delete(after: number, contentType: ContentType, count = 1): this {
    const base = this.#base(after);
    this.#core.story.push(this.at, { type: "content.deleted", ...base, contentType, count }, this.role);
    return this;
  }

  end(after: number, reason: "logout" | "expired" | "revoked"): void {
    const base = this.#base(after);
    this.#core.story.push(this.at, { type: "session.ended", ...base, reason }, this.role);
    this.#core.ended = true;
  }
}

/** Merges stories into one stream sorted by time; ties keep story order, so output is deterministic. */
export function assemble(drafts: readonly Draft[]): LabelledEvent[] {
  const order = drafts.map((_, i) => i);
  order.sort((a, b) => (drafts[a] as Draft).at - (drafts[b] as Draft).at || a - b);
  return order.map((i) => {
    const { id, at, body, label: eventLabel } = drafts[i] as Draft;
    const { type, ...rest } = body;
    return {
      event: { id, type, occurredAt: new Date(at).toISOString(), ...rest } as AccountEvent,
      label: eventLabel,
    };
  });
}
