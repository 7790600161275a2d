/**
 * An empty record for keys that come from the data (accounts, networks, device ids, sources).
 * V8 gives an object literal a hidden class per property added, shared through a transition tree:
 * thousands of distinct keys added to `{}` grow that tree and keep every access on slow paths.
 * A prototype-less object starts as a hash table instead. It serialises exactly like `{}`.
 */
export function keyed<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Keys from events are free text, and a plain object answers to "constructor" or "__proto__" by
 * itself: prefixed, no event can name an inherited property of the state's records.
 */
export function safeKey(key: string): string {
  return `#${key}`;
}
