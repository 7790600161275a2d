/**
 * Text every store accepts. PostgreSQL refuses NUL in `text` and `jsonb`, and a JSON string with an
 * unpaired surrogate escape in `jsonb`; other control characters are legal but are never part of an
 * identifier or of anything a person reads, and they mislead whoever reads a log or a header.
 */

/** C0 controls, DEL and C1 controls. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** True when `text` has no control character and no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (isControl(text.charCodeAt(i))) return false;
  }
  return text.isWellFormed();
}

/**
 * `text` made storable: each control character becomes a space, each unpaired surrogate U+FFFD,
 * surrounding spaces are trimmed; then cut to at most `max` UTF-16 units without splitting a pair.
 */
export function cleanText(text: string, max = Number.POSITIVE_INFINITY): string {
  let clean = text;
  if (!isStorableText(text)) {
    let spaced = "";
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      spaced += isControl(code) ? " " : text[i];
    }
    clean = spaced.toWellFormed().trim();
  }
  return truncate(clean, max);
}

/** At most `max` UTF-16 units, never ending in half of a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
