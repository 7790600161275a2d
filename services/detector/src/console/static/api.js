// Calls to Vigil's API from the same origin. The token, when the analyst typed one, lives in this
// tab's sessionStorage only and travels in the Authorization header, never in a URL. Behind a
// reverse proxy that adds the header itself, no token is stored and requests go out without one.

const TOKEN_KEY = "vigil.token";

export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const storedToken = () => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

/** GET or POST `path` (relative to the site, e.g. "v1/queue"); resolves to the JSON body or throws ApiFailure. */
export async function api(path, { method = "GET", query, body } = {}) {
  const headers = { accept: "application/json" };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const search = query ? queryString(query) : "";
  let response;
  try {
    response = await fetch(`${path}${search}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiFailure(0, "network", "Vigil cannot be reached. Check the connection and try again.");
  }
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = json?.error;
    if (response.status === 401 && path !== "v1/me") window.dispatchEvent(new Event("vigil:unauthenticated"));
    throw new ApiFailure(response.status, error?.code ?? "unknown", error?.message ?? `HTTP ${response.status}`);
  }
  return json;
}

function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
