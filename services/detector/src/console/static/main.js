// The console's entry: learns who is signed in (a typed token or a proxy's header), then routes
// #/queue, #/flags/<id> and #/audit to their pages.
import { ApiFailure, api, forgetToken, storedToken, storeToken } from "./api.js";
import { showAudit } from "./audit.js";
import { errorBox, h, showPage } from "./dom.js";
import { showFlag } from "./flag.js";
import { timeZone } from "./format.js";
import { showQueue, stopQueue } from "./queue.js";

/** The signed-in analyst: { subject, scopes: Set, viaProxy } or null. */
let session = null;

async function whoAmI() {
  try {
    const me = await api("v1/me");
    return { subject: me.subject, scopes: new Set(me.scopes), viaProxy: !storedToken() };
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return null;
    throw error;
  }
}

function showSignIn(message) {
  stopQueue();
  setChrome(null);
  const field = h("input", {
    id: "token",
    name: "token",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "token-help",
  });
  const form = h(
    "form",
    { class: "sign-in card", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in to Vigil"),
    message ? errorBox(message) : null,
    h("label", { for: "token" }, "API token"),
    field,
    h(
      "p",
      { id: "token-help", class: "help" },
      "A token signed for Vigil (scopes flags:read, flags:write, audit:read). It is kept in this tab only and forgotten on sign-out. ",
      "Behind your company's single sign-on you are signed in without one.",
    ),
    h("button", { type: "submit", class: "button primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    storeToken(field.value.trim());
    const me = await whoAmI().catch(() => null);
    if (!me) {
      forgetToken();
      showSignIn("This token was refused: it may have expired, or been signed for another Vigil.");
      return;
    }
    session = me;
    route();
  });
  showPage(h("div", { class: "centre" }, form));
  field.focus();
}

function setChrome(current) {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  nav.hidden = current === null;
  who.hidden = current === null;
  if (current === null) return;
  document.getElementById("nav-audit").hidden = !current.scopes.has("audit:read");
  document.getElementById("nav-queue").hidden = !current.scopes.has("flags:read");
  document.getElementById("who-name").textContent = current.subject;
  document.getElementById("zone").textContent = `Times in ${timeZone}`;
  // Behind a proxy the sign-out belongs to the company's sign-on, not to this page.
  document.getElementById("sign-out").hidden = current.viaProxy;
}

function markSection(section) {
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function missingScope(scope, what) {
  return showPage(
    h("h1", {}, "Not allowed"),
    errorBox(`Your token does not grant ${scope}, which ${what} needs. Ask an administrator for it.`),
  );
}

function route() {
  if (!session) return;
  setChrome(session);
  const hash = location.hash || "#/queue";
  const flag = hash.match(/^#\/flags\/([^/?]+)$/);
  if (!flag) stopQueue();
  if (hash === "#/audit") {
    markSection("audit");
    if (!session.scopes.has("audit:read")) return missingScope("audit:read", "the audit log");
    return showAudit(session);
  }
  if (flag) {
    stopQueue();
    markSection("queue");
    if (!session.scopes.has("flags:read")) return missingScope("flags:read", "reading flags");
    return showFlag(decodeURIComponent(flag[1]), session);
  }
  markSection("queue");
  if (!session.scopes.has("flags:read")) return missingScope("flags:read", "the queue");
  return showQueue(session);
}

/** A call refused with 401 mid-session (token expired): back to the sign-in form. */
window.addEventListener("vigil:unauthenticated", () => {
  forgetToken();
  session = null;
  showSignIn("Your session has ended. Sign in again.");
});

document.getElementById("sign-out").addEventListener("click", () => {
  forgetToken();
  session = null;
  history.replaceState(null, "", location.pathname);
  showSignIn();
});

window.addEventListener("hashchange", route);

async function start() {
  try {
    session = await whoAmI();
  } catch (error) {
    showPage(h("h1", {}, "Vigil"), errorBox(error.message));
    return;
  }
  if (!session && storedToken()) {
    forgetToken();
    showSignIn("Your token has expired. Sign in again.");
    return;
  }
  if (!session) return showSignIn();
  route();
}

start();
