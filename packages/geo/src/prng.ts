/** FNV-1a: spreads a salt string over 32 bits. */
function hash32(text: string, state: number): number {
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  return state >>> 0;
}

/**
 * Seeded 32-bit PRNG (mulberry32): tiny, fast, plenty for picking sample addresses. Not for secrets.
 * `salt` gives independent streams for one seed.
 */
export function prng(seed: number, salt = ""): () => number {
  let state = hash32(salt, (seed ^ 0x811c9dc5) >>> 0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A uniform float in [0, 1) with 53 random bits, from two 32-bit draws. */
export function nextUnit(next: () => number): number {
  return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}
