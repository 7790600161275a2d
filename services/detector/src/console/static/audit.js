// The audit log: every call to a scoped route, newest first (reading it is audited too).
import { api } from "./api.js";
import { errorBox, h, showPage } from "./dom.js";
import { formatTime } from "./format.js";

export async function showAudit() {
  const subject = h("input", { id: "audit-subject", name: "subject", type: "search", autocomplete: "off" });
  const limit = h(
    "select",
    { id: "audit-limit", name: "limit" },
    ["50", "100", "200", "500"].map((n) => h("option", { value: n, selected: n === "100" }, n)),
  );
  const tbody = h("tbody");
  const error = h("div");
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter the audit log" },
    h("div", { class: "field" }, h("label", { for: "audit-subject" }, "Caller (sub)"), subject),
    h("div", { class: "field" }, h("label", { for: "audit-limit" }, "Entries"), limit),
    h("div", { class: "field actions" }, h("button", { type: "submit", class: "button primary" }, "Show")),
  );
  const load = async () => {
    try {
      const page = await api("v1/audit", { query: { subject: subject.value.trim(), limit: limit.value } });
      error.replaceChildren();
      tbody.replaceChildren(...page.items.map(row));
      if (page.items.length === 0) tbody.append(h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No entries.")));
    } catch (failure) {
      error.replaceChildren(errorBox(failure.message));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  showPage(
    h("div", { class: "page-head" }, h("h1", {}, "Audit log")),
    h("p", { class: "muted" }, "Every call to a flags or audit route: who, what, which target, when and how it ended."),
    form,
    error,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "audit" },
        h("caption", { class: "visually-hidden" }, "Audit entries, newest first"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["When", "Caller", "Action", "Target", "Status"].map((title) => h("th", { scope: "col" }, title)),
          ),
        ),
        tbody,
      ),
    ),
  );
  await load();
}

function row(entry) {
  const aboutFlag = entry.action.includes("/v1/flags/{id}") && entry.target;
  return h(
    "tr",
    {},
    h("td", {}, h("time", { datetime: entry.at }, formatTime(entry.at))),
    h("td", {}, entry.subject),
    h("td", {}, h("code", {}, entry.action)),
    h("td", {}, aboutFlag ? h("a", { href: `#/flags/${encodeURIComponent(entry.target)}` }, entry.target) : (entry.target ?? "—")),
    h("td", {}, h("span", { class: `http ${entry.status < 300 ? "ok" : entry.status < 500 ? "refused" : "failed"}` }, String(entry.status))),
  );
}
