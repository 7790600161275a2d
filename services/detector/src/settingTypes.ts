import { z } from "zod";

/** The kinds of value settings take from the environment, each with its error message. */
export const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds, written as a number of seconds or with a unit: `900`, `15m`, `12h`, `1d`. */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim());
      const seconds = match
        ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? "s") as keyof typeof UNIT_SECONDS]
        : 0;
      if (seconds <= 0) {
        ctx.addIssue({
          code: "custom",
          message: "must be a positive duration: seconds, or a number with s, m, h or d",
        });
        return z.NEVER;
      }
      return seconds;
    });

export const flag = z
  .enum(["true", "false", "1", "0", ""], { error: "must be true or false" })
  .default("false")
  .transform((value) => value === "true" || value === "1");

/** A path to a file; whether it can be read is checked with the settings that use it. */
export const file = z.string().min(1).optional();
