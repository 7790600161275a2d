// One flag: why, the session's timeline in the analyst's zone, the map, device and network
// novelty, the user's notices and answers, the account's other flags, and the resolution.
import { ApiFailure, api } from "./api.js";
import { announce, errorBox, h, showPage } from "./dom.js";
import {
  ago,
  countryName,
  describeEvent,
  eventKind,
  formatShortTime,
  formatTime,
  placeLabel,
  REASON_LABELS,
  STATUS_LABELS,
} from "./format.js";
import { flagMap } from "./map.js";

export async function showFlag(id, session) {
  showPage(h("p", { class: "loading" }, "Loading the flag…"));
  let flag;
  let context;
  let others;
  try {
    [flag, context] = await Promise.all([
      api(`v1/flags/${encodeURIComponent(id)}`),
      api(`v1/flags/${encodeURIComponent(id)}/context`),
    ]);
    others = await api("v1/flags", { query: { userId: flag.userId, limit: 20 } });
  } catch (error) {
    const message = error instanceof ApiFailure && error.status === 404 ? "There is no flag with this id." : error.message;
    showPage(backLink(), h("h1", {}, "Flag"), errorBox(message));
    return;
  }
  if (location.hash !== `#/flags/${encodeURIComponent(id)}`) return;
  const header = h("div");
  const resolution = h("div");
  const refresh = (current) => {
    header.replaceChildren(...headerOf(current));
    resolution.replaceChildren(resolutionOf(current, session, refresh));
  };
  refresh(flag);
  const map = await flagMap(context);
  showPage(
    backLink(),
    header,
    h(
      "div",
      { class: "flag-grid" },
      h(
        "div",
        { class: "flag-main" },
        section("Why it was flagged", reasonsOf(flag)),
        section("Session timeline", timelineOf(flag)),
        section("Device and network", noveltyOf(context.novelty)),
      ),
      h(
        "div",
        { class: "flag-side" },
        section("Where", map),
        resolution,
        section("Notices to the user", noticesOf(context.notices)),
        section("Other flags of this account", othersOf(others.items, flag.id)),
      ),
    ),
  );
}

function backLink() {
  return h("a", { href: "#/queue", class: "back" }, "← Back to the queue");
}

function section(title, ...content) {
  const id = `s-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...content);
}

function headerOf(flag) {
  return [
    h(
      "div",
      { class: "flag-head" },
      h("span", { class: `badge large sev-${flag.severity}` }, flag.severity),
      h("h1", {}, `Account ${flag.userId}`),
      h("span", { class: `status status-${flag.status}`, id: "flag-status" }, STATUS_LABELS[flag.status] ?? flag.status),
    ),
    h(
      "dl",
      { class: "facts" },
      fact("Score", `${flag.score} / 100`),
      fact("Where", flag.location ? placeLabel(flag.location) : "Unknown"),
      fact("Session", flag.sessionId ?? "Not one session (cross-account attack)"),
      fact("First event", formatTime(flag.firstEventAt)),
      fact("Last activity", `${formatTime(flag.lastEventAt)} (${ago(flag.lastEventAt)})`),
      fact("Events", String(flag.eventCount)),
    ),
  ];
}

function fact(term, value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, value));
}

function reasonsOf(flag) {
  if (flag.reasons.length === 0) return h("p", { class: "muted" }, "No reasons recorded.");
  return h(
    "ul",
    { class: "reasons" },
    flag.reasons.map((reason) =>
      h(
        "li",
        {},
        h("span", { class: "chip" }, REASON_LABELS[reason.code] ?? reason.code),
        h("span", { class: "reason-text" }, reason.message),
        typeof reason.details?.points === "number" ? h("span", { class: "points" }, `+${reason.details.points}`) : null,
      ),
    ),
  );
}

function timelineOf(flag) {
  if (flag.timeline.length === 0) {
    return h("p", { class: "muted" }, "This flag is not about one session: there is no timeline.");
  }
  return h(
    "ol",
    { class: "timeline" },
    flag.timeline.map((event) =>
      h(
        "li",
        { class: `tl tl-${eventKind(event.type)}` },
        h("time", { datetime: event.occurredAt }, formatTime(event.occurredAt)),
        h("span", { class: "tl-what" }, describeEvent(event)),
        h(
          "span",
          { class: "tl-where" },
          [event.location ? placeLabel(event.location) : null, event.device, event.ip ?? event.network]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
    ),
  );
}

const NOVELTY = [
  ["device", "Device"],
  ["network", "Network"],
  ["country", "Country"],
];

/** The session login's device, network and country, and how often the account used each before. */
function noveltyOf(novelty) {
  if (!novelty) return h("p", { class: "muted" }, "No login in this session to compare.");
  return [
    h(
      "dl",
      { class: "novelty" },
      NOVELTY.map(([feature, term]) => {
        const { value, earlierLogins, firstSeenAt } = novelty[feature];
        const shown = value === null ? "Unknown" : feature === "country" ? countryName(value) : value;
        return h(
          "div",
          {},
          h("dt", {}, term),
          h(
            "dd",
            {},
            shown,
            " ",
            value === null
              ? null
              : earlierLogins === 0
                ? h("span", { class: "tag tag-new" }, "new to this account")
                : h(
                    "span",
                    { class: "tag tag-known" },
                    `${earlierLogins} earlier ${earlierLogins === 1 ? "login" : "logins"} since ${formatShortTime(firstSeenAt)}`,
                  ),
          ),
        );
      }),
    ),
    h(
      "p",
      { class: "sub" },
      novelty.comparedLogins === 0
        ? "The account has no earlier logins on record."
        : `Compared with the account's ${novelty.comparedLogins} earlier logins on record.`,
    ),
  ];
}

function noticesOf(notices) {
  if (notices.length === 0) return h("p", { class: "muted" }, "No notices were sent to this user.");
  return h(
    "ul",
    { class: "notices" },
    notices.map((notice) =>
      h(
        "li",
        {},
        h("p", { class: "notice-title" }, notice.title),
        h("p", { class: "sub" }, `Sent ${formatTime(notice.createdAt)}`),
        h(
          "p",
          { class: "answer" },
          notice.response === null
            ? h("span", { class: "tag" }, "No answer yet")
            : notice.response.wasMe
              ? h("span", { class: "tag tag-known" }, `“It was me” · ${formatShortTime(notice.response.respondedAt)}`)
              : h("span", { class: "tag tag-new" }, `“Not me” · ${formatShortTime(notice.response.respondedAt)}`),
        ),
      ),
    ),
  );
}

function othersOf(flags, currentId) {
  const others = flags.filter((f) => f.id !== currentId);
  if (others.length === 0) return h("p", { class: "muted" }, "No other flags.");
  return h(
    "ul",
    { class: "others" },
    others.map((f) =>
      h(
        "li",
        {},
        h("span", { class: `badge sev-${f.severity}` }, f.severity),
        h("a", { href: `#/flags/${encodeURIComponent(f.id)}` }, f.reasons[0]?.message ?? f.id),
        h("span", { class: "sub" }, `${formatShortTime(f.lastEventAt)} · ${STATUS_LABELS[f.status] ?? f.status}`),
      ),
    ),
  );
}

function resolutionOf(flag, session, refresh) {
  const done = flag.resolution
    ? h(
        "p",
        { class: `resolved resolved-${flag.resolution.verdict}`, id: "resolution-result" },
        `Resolved ${flag.resolution.verdict} by ${flag.resolution.by}, ${formatTime(flag.resolution.at)}`,
        flag.resolution.note ? h("span", { class: "note" }, `“${flag.resolution.note}”`) : null,
      )
    : null;
  if (!session.scopes.has("flags:write")) {
    return section("Resolution", done ?? h("p", { class: "muted" }, "Open. Resolving needs the flags:write scope."));
  }
  const error = h("div");
  const note = h("textarea", { id: "resolve-note", name: "note", rows: 2, maxlength: 2000 });
  const choice = (verdict, text, hint) =>
    h(
      "label",
      { class: `verdict verdict-${verdict}` },
      h("input", { type: "radio", name: "verdict", value: verdict, required: true }),
      h("span", {}, h("strong", {}, text), h("span", { class: "sub" }, hint)),
    );
  const form = h(
    "form",
    { class: "resolve", "aria-label": "Resolve this flag" },
    h(
      "fieldset",
      {},
      h("legend", {}, "Verdict"),
      choice("compromised", "Compromised", "An attacker was in the account; the place and device are marked."),
      choice("legitimate", "Legitimate", "It was the user; the place and device become trusted."),
    ),
    h("label", { for: "resolve-note" }, "Note for other analysts (optional)"),
    note,
    error,
    h("button", { type: "submit", class: "button primary", id: "resolve-button" }, flag.resolution ? "Change verdict…" : "Resolve…"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const verdict = new FormData(form).get("verdict");
    if (!verdict) return;
    confirmResolution(flag, verdict, note.value.trim(), async () => {
      try {
        const body = { verdict };
        if (note.value.trim()) body.note = note.value.trim();
        const resolved = await api(`v1/flags/${encodeURIComponent(flag.id)}/resolution`, { method: "POST", body });
        refresh({ ...flag, ...resolved });
        announce(`Flag resolved as ${verdict}`);
        document.getElementById("resolution-result")?.focus();
      } catch (failure) {
        error.replaceChildren(errorBox(failure.message));
      }
    });
  });
  if (done) done.setAttribute("tabindex", "-1");
  return section("Resolution", done, form);
}

/** A modal confirmation: the verdict teaches the account's profile, so it is asked for twice. */
function confirmResolution(flag, verdict, note, onConfirm) {
  const confirm = h("button", { type: "button", class: `button ${verdict === "compromised" ? "danger" : "primary"}` }, `Mark ${verdict}`);
  const cancel = h("button", { type: "button", class: "button quiet" }, "Cancel");
  const dialog = h(
    "dialog",
    { class: "confirm", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-text" },
    h("h2", { id: "confirm-title" }, `Mark this flag ${verdict}?`),
    h(
      "p",
      { id: "confirm-text" },
      verdict === "compromised"
        ? `Account ${flag.userId}: the session's place and device will be treated as the attacker's from now on.`
        : `Account ${flag.userId}: the session's place and device will be trusted from now on.`,
      note ? ` Note: “${note}”` : "",
    ),
    h("div", { class: "dialog-actions" }, cancel, confirm),
  );
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  cancel.addEventListener("click", () => {
    close();
    document.getElementById("resolve-button")?.focus();
  });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    close();
    await onConfirm();
  });
  dialog.addEventListener("cancel", () => setTimeout(() => dialog.remove(), 0));
  document.body.append(dialog);
  dialog.showModal();
  cancel.focus();
}
