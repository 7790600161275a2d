import type { Principal, VerifiedToken } from "./auth.ts";

/**
 * Tokens that passed verification, remembered until their `exp` so that a caller's next requests
 * skip the HMAC (an HS256 verification costs more than the rest of a flags read in this process).
 * Keyed by the whole token, signature included; a refused token is never remembered, so it is
 * checked again every time. At most `capacity` tokens; the oldest is forgotten first.
 */
export class VerifiedTokens {
  readonly #verify: (token: string) => Promise<VerifiedToken>;
  readonly #capacity: number;
  readonly #known = new Map<string, VerifiedToken>();

  constructor(verify: (token: string) => Promise<VerifiedToken>, capacity = 4096) {
    this.#verify = verify;
    this.#capacity = capacity;
  }

  /** The token's caller; throws `InvalidTokenError` for a token that is not (or no longer) valid. */
  async verify(token: string): Promise<Principal> {
    const known = this.#known.get(token);
    if (known !== undefined) {
      if (Date.now() < known.expiresAtMs) return known.principal;
      this.#known.delete(token);
    }
    const verified = await this.#verify(token);
    if (this.#known.size >= this.#capacity) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
    this.#known.set(token, verified);
    return verified.principal;
  }
}
