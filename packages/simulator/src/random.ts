// Seeded randomness for the simulator. Output must be byte-identical for the same options, so
// nothing here reads Math.random or the clock. Streams are named rather than chained: `fork("user/42")`
// derives a child from the parent's *name*, not from how many numbers the parent has drawn, so adding
// a user or an extra draw in one story never changes the traffic of any other user.

/** cyrb128: a fast 128-bit string hash, used to seed sfc32 from a name. Not cryptographic. */
export function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** `bits` (≤ 128, multiple of 32) hex digits of hash128(text): opaque but stable identifiers. */
export function hashHex(text: string, bits = 64): string {
  return hash128(text)
    .slice(0, Math.ceil(bits / 32))
    .map((word) => word.toString(16).padStart(8, "0"))
    .join("");
}

export class Rng {
  readonly name: string;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(name: string) {
    this.name = name;
    [this.#a, this.#b, this.#c, this.#d] = hash128(name);
    for (let i = 0; i < 12; i++) this.#next32(); // let the state mix before first use
  }

  /** A child stream, determined by this stream's name and `label` only. */
  fork(label: string | number): Rng {
    return new Rng(`${this.name}/${label}`);
  }

  // sfc32 (Chris Doty-Humphrey's small fast counting generator): passes PractRand, 128-bit state.
  #next32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next32() / 4294967296;
  }

  /** A 32-bit unsigned integer, e.g. a seed for another library's PRNG. */
  uint32(): number {
    return this.#next32();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError(`${this.name}: pick from an empty list`);
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One of the values, with probability proportional to its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new RangeError(`${this.name}: weighted pick from an empty list`);
    return last[0];
  }

  /** Exponentially distributed with the given mean: waiting times between independent actions. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Poisson-distributed count (Knuth's method; fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = this.next(); product > limit; product *= this.next()) count++;
    return count;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }

  /** `count` distinct items in random order (all of them when there are fewer). */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }
}
