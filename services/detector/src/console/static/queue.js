// The queue: open flags by severity then latest activity, with filters, counts by severity, pages
// fetched with the API's cursor, and new flags merged in by polling.
import { api } from "./api.js";
import { announce, errorBox, h, showPage } from "./dom.js";
import {
  ago,
  formatShortTime,
  formatClock,
  formatTime,
  number,
  placeLabel,
  REASON_LABELS,
  SEVERITIES,
  STATUS_LABELS,
} from "./format.js";

const PAGE_SIZE = 100;
const POLL_MS = 10_000;
const RANK = { low: 0, medium: 1, high: 2, critical: 3 };

/** The filters survive leaving the queue for a flag and coming back. */
const filters = { severity: "", status: "open", reason: "", userId: "", since: "", until: "" };

let state = null;

export function stopQueue() {
  if (state?.timer) clearInterval(state.timer);
  state = null;
}

/** Queue order: the API's, so that merged pages and polled flags sort alike. */
function before(a, b) {
  return (
    RANK[b.severity] - RANK[a.severity] ||
    b.lastEventAt.localeCompare(a.lastEventAt) ||
    (b.id < a.id ? -1 : b.id > a.id ? 1 : 0)
  );
}

function query(cursor) {
  const toIso = (local) => (local ? new Date(local).toISOString() : undefined);
  return {
    severity: filters.severity,
    status: filters.status === "any" ? undefined : filters.status,
    reason: filters.reason,
    userId: filters.userId.trim(),
    since: toIso(filters.since),
    until: toIso(filters.until),
    limit: PAGE_SIZE,
    cursor,
  };
}

export async function showQueue() {
  stopQueue();
  const current = {
    items: new Map(),
    rows: new Map(),
    requests: 0,
    nextCursor: null,
    fresh: new Set(),
    timer: null,
    elements: {},
  };
  state = current;
  const started = performance.now();
  showPage(renderFrame(current));
  await reload(current);
  if (state !== current) return;
  current.timer = setInterval(() => poll(current), POLL_MS);
  document.body.dataset.queueRenderedMs = String(Math.round(performance.now() - started));
}

function renderFrame(current) {
  const e = current.elements;
  e.counts = h("div", { class: "counts", role: "group", "aria-label": "Flags by severity; choose one to filter" });
  e.tbody = h("tbody");
  e.more = h("button", { type: "button", class: "button", hidden: true }, "Load more");
  e.more.addEventListener("click", () => loadMore(current));
  e.summary = h("p", { class: "queue-summary", id: "queue-summary" });
  e.updated = h("span", { class: "updated" });
  e.error = h("div");

  const form = renderFilters(current);
  const table = h(
    "table",
    { class: "queue", "aria-describedby": "queue-summary" },
    h("caption", { class: "visually-hidden" }, "Flags, most severe and most recently active first"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Severity"),
        h("th", { scope: "col", class: "num" }, "Score"),
        h("th", { scope: "col" }, "Account"),
        h("th", { scope: "col" }, "Why"),
        h("th", { scope: "col" }, "Where"),
        h("th", { scope: "col" }, "Last activity"),
        h("th", { scope: "col" }, "Status"),
      ),
    ),
    e.tbody,
  );
  return [
    h("div", { class: "page-head" }, h("h1", {}, "Queue"), e.updated),
    e.counts,
    form,
    e.error,
    e.summary,
    h("div", { class: "table-wrap" }, table),
    h("div", { class: "more" }, e.more),
  ];
}

function select(id, label, value, options) {
  const element = h(
    "select",
    { id, name: id },
    options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text)),
  );
  return [h("label", { for: id }, label), element];
}

function renderFilters(current) {
  const [severityLabel, severity] = select("filter-severity", "Severity", filters.severity, [
    ["", "All severities"],
    ...SEVERITIES.map((s) => [s, s[0].toUpperCase() + s.slice(1)]),
  ]);
  const [statusLabel, status] = select("filter-status", "Status", filters.status, [
    ["open", "Open"],
    ["compromised", "Compromised"],
    ["legitimate", "Legitimate"],
    ["any", "Any status"],
  ]);
  const [reasonLabel, reason] = select("filter-reason", "Reason", filters.reason, [
    ["", "All reasons"],
    ...Object.entries(REASON_LABELS),
  ]);
  const user = h("input", { id: "filter-user", name: "userId", type: "search", value: filters.userId, autocomplete: "off" });
  const since = h("input", { id: "filter-since", name: "since", type: "datetime-local", value: filters.since });
  const until = h("input", { id: "filter-until", name: "until", type: "datetime-local", value: filters.until });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter the queue" },
    h("div", { class: "field" }, severityLabel, severity),
    h("div", { class: "field" }, statusLabel, status),
    h("div", { class: "field" }, reasonLabel, reason),
    h("div", { class: "field" }, h("label", { for: "filter-user" }, "Account"), user),
    h("div", { class: "field" }, h("label", { for: "filter-since" }, "Active from"), since),
    h("div", { class: "field" }, h("label", { for: "filter-until" }, "Active until"), until),
    h(
      "div",
      { class: "field actions" },
      h("button", { type: "submit", class: "button primary" }, "Apply"),
      h("button", { type: "reset", class: "button quiet" }, "Reset"),
    ),
  );
  const read = () => {
    filters.severity = severity.value;
    filters.status = status.value;
    filters.reason = reason.value;
    filters.userId = user.value;
    filters.since = since.value;
    filters.until = until.value;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    read();
    refilter(current);
  });
  // Choices apply at once; typed fields wait for Enter or Apply.
  for (const control of [severity, status, reason]) {
    control.addEventListener("change", () => {
      read();
      refilter(current);
    });
  }
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    Object.assign(filters, { severity: "", status: "open", reason: "", userId: "", since: "", until: "" });
    severity.value = "";
    status.value = "open";
    reason.value = "";
    user.value = "";
    since.value = "";
    until.value = "";
    refilter(current);
  });
  current.elements.severitySelect = severity;
  return form;
}

async function refilter(current) {
  const started = performance.now();
  if (await reload(current)) {
    document.body.dataset.queueFilteredMs = String(Math.round(performance.now() - started));
  }
}

async function reload(current) {
  // Filters may change faster than answers come back: only the latest request's answer is shown.
  const request = ++current.requests;
  current.elements.tbody.setAttribute("aria-busy", "true");
  try {
    const page = await api("v1/queue", { query: query() });
    if (state !== current || request !== current.requests) return false;
    current.items = new Map(page.items.map((flag) => [flag.id, flag]));
    current.rows.clear();
    current.nextCursor = page.nextCursor;
    current.fresh.clear();
    current.elements.error.replaceChildren();
    render(current, page.counts);
    return true;
  } catch (error) {
    if (state === current) current.elements.error.replaceChildren(errorBox(error.message));
    return false;
  } finally {
    current.elements.tbody.removeAttribute("aria-busy");
  }
}

async function loadMore(current) {
  if (!current.nextCursor) return;
  current.elements.more.disabled = true;
  const started = performance.now();
  const request = current.requests;
  try {
    const page = await api("v1/queue", { query: query(current.nextCursor) });
    if (state !== current || request !== current.requests) return;
    for (const flag of page.items) current.items.set(flag.id, flag);
    current.nextCursor = page.nextCursor;
    render(current, page.counts);
    document.body.dataset.queueMoreMs = String(Math.round(performance.now() - started));
    announce(`${page.items.length} more flags loaded`);
  } catch (error) {
    current.elements.error.replaceChildren(errorBox(error.message));
  } finally {
    current.elements.more.disabled = false;
  }
}

/** New and changed flags of the first page, merged in place; nothing the analyst loaded is dropped. */
async function poll(current) {
  if (document.hidden) return;
  const request = current.requests;
  try {
    const page = await api("v1/queue", { query: query() });
    if (state !== current || request !== current.requests) return;
    let added = 0;
    for (const flag of page.items) {
      if (!current.items.has(flag.id)) {
        added += 1;
        current.fresh.add(flag.id);
      }
      current.items.set(flag.id, flag);
    }
    render(current, page.counts);
    if (added > 0) announce(`${added} new ${added === 1 ? "flag" : "flags"} in the queue`);
  } catch {
    // The next poll tries again; a lasting failure shows on the next explicit action.
  }
}

function render(current, counts) {
  const e = current.elements;
  e.counts.replaceChildren(
    ...SEVERITIES.map((severity) => {
      const pressed = filters.severity === severity;
      const button = h(
        "button",
        { type: "button", class: `count sev-${severity}`, "aria-pressed": String(pressed) },
        h("span", { class: "count-number" }, number.format(counts[severity] ?? 0)),
        h("span", { class: "count-label" }, severity),
      );
      button.addEventListener("click", () => {
        filters.severity = pressed ? "" : severity;
        e.severitySelect.value = filters.severity;
        refilter(current);
      });
      return button;
    }),
  );
  const flags = [...current.items.values()].sort(before);
  e.tbody.replaceChildren(...flags.map((flag) => cachedRow(current, flag)));
  if (flags.length === 0) {
    e.tbody.append(h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No flags match these filters.")));
  }
  const total = Object.entries(counts)
    .filter(([severity]) => !filters.severity || severity === filters.severity)
    .reduce((sum, [, n]) => sum + n, 0);
  e.summary.textContent = `Showing ${number.format(flags.length)} of ${number.format(total)} flags`;
  e.more.hidden = current.nextCursor === null;
  const now = new Date().toISOString();
  e.updated.textContent = `Updated ${formatClock(now)} · refreshes every ${POLL_MS / 1000} s`;
}

/**
 * A flag's row, built again only when the flag changed, its "new" mark did, or a minute passed (for
 * its relative time): loading page after page then costs the new rows, not all of them again.
 */
function cachedRow(current, flag) {
  const fresh = current.fresh.has(flag.id);
  const key = `${flag.updatedAt}|${fresh}|${filters.reason}|${Math.floor(Date.now() / 60_000)}`;
  const cached = current.rows.get(flag.id);
  if (cached && cached.key === key) return cached.element;
  const element = row(flag, fresh, filters.reason);
  current.rows.set(flag.id, { key, element });
  return element;
}

function row(flag, fresh, reasonFilter) {
  // The reason the analyst filtered by, when the flag has it; otherwise its most important one.
  const first = flag.reasons.find((reason) => reason.code === reasonFilter) ?? flag.reasons[0];
  const others = flag.reasons.length - 1;
  return h(
    "tr",
    { class: fresh ? "fresh" : undefined, "data-flag-id": flag.id },
    h("td", {}, h("span", { class: `badge sev-${flag.severity}` }, flag.severity)),
    h("td", { class: "num" }, String(flag.score)),
    h("td", {}, h("a", { href: `#/flags/${encodeURIComponent(flag.id)}`, class: "row-link" }, flag.userId)),
    h(
      "td",
      { class: "why" },
      first ? h("span", { class: "chip" }, REASON_LABELS[first.code] ?? first.code) : null,
      first ? h("span", { class: "why-text" }, first.message) : "—",
      others > 0 ? h("span", { class: "more-reasons" }, ` +${others}`) : null,
    ),
    h("td", {}, flag.location ? placeLabel(flag.location) : "—"),
    h("td", {}, h("time", { datetime: flag.lastEventAt, title: formatTime(flag.lastEventAt) }, ago(flag.lastEventAt)), h("span", { class: "sub" }, formatShortTime(flag.lastEventAt))),
    h("td", {}, h("span", { class: `status status-${flag.status}` }, STATUS_LABELS[flag.status] ?? flag.status)),
  );
}
