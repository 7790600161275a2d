import type { AccountEventInput, EventType, Notice } from "@vigil/events";
import type { StoredFlag } from "@vigil/store";
import type { FeedbackMessage } from "../feedback.ts";

/** One valid example of each message, shown in the AsyncAPI document (and checked against its schema). */
const base = { occurredAt: "2026-11-28T14:03:11+01:00", userId: "u-42", sessionId: "s-9f1" };

export const EVENT_EXAMPLES: { [T in EventType]: Extract<AccountEventInput, { type: T }> } = {
  "login.succeeded": {
    id: "evt-81f2",
    type: "login.succeeded",
    ...base,
    ip: "203.0.113.7",
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
    deviceId: "d-7c2e",
    method: "password",
    mfa: true,
  },
  "login.failed": {
    id: "evt-81f3",
    type: "login.failed",
    occurredAt: "2026-11-28T14:02:40+01:00",
    ip: "198.51.100.23",
    reason: "unknown_account",
    accountHint: "5f2c9a0e",
  },
  "settings.changed": {
    id: "evt-81f4",
    type: "settings.changed",
    ...base,
    setting: "email",
    action: "updated",
  },
  "content.deleted": { id: "evt-81f5", type: "content.deleted", ...base, contentType: "album", count: 12 },
  "content.modified": { id: "evt-81f6", type: "content.modified", ...base, contentType: "photo", count: 1 },
  "session.ended": { id: "evt-81f7", type: "session.ended", ...base, reason: "logout" },
};

export const FLAG_EXAMPLE: StoredFlag = {
  id: "f-3b1d",
  userId: "u-42",
  sessionId: "s-9f1",
  severity: "high",
  score: 78,
  status: "open",
  reasons: [
    { code: "new_country", message: "First login from Brazil; the account logs in from France", details: {} },
    { code: "email_changed", message: "Email changed 4 minutes after that login" },
  ],
  location: { country: "BR", region: "SP", city: "São Paulo" },
  firstEventAt: "2026-11-28T13:03:11.000Z",
  lastEventAt: "2026-11-28T13:07:02.000Z",
  createdAt: "2026-11-28T13:03:12.204Z",
  updatedAt: "2026-11-28T13:07:03.010Z",
  eventCount: 2,
  resolution: null,
};

export const NOTICE_EXAMPLE: Notice = {
  id: "n-91a0",
  userId: "u-42",
  flagId: "f-3b1d",
  sessionId: "s-9f1",
  occurredAt: "2026-11-28T13:03:11.000Z",
  createdAt: "2026-11-28T13:07:03.010Z",
  location: { country: "BR", region: "SP", city: "São Paulo" },
  device: "Chrome on Windows",
  flagged: ["new_country", "email_changed"],
  title: "Was this you?",
  body: "Someone signed in to your account near São Paulo, Brazil, with Chrome on Windows, and changed its email.",
  actions: ["Review your recent activity", "Change your password"],
  response: null,
};

export const VERDICT_EXAMPLE = {
  userId: "u-42",
  code: "password_spray",
  network: "198.51.100.0/24",
  at: 1_795_784_560_000,
  details: { accounts: 40, success: false },
};

export const FEEDBACK_EXAMPLE: FeedbackMessage = {
  userId: "u-42",
  flagId: "f-3b1d",
  sessionId: "s-9f1",
  verdict: "legitimate",
  at: "2026-11-28T13:20:00.000Z",
};
