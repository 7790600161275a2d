import pino from "pino";

/** Structured logs. Tokens never appear; raw IPs only at debug level (callers keep them out of info). */
export function createLogger(level: string) {
  return pino({
    level,
    base: { service: "vigil" },
    redact: {
      paths: ["req.headers.authorization", "*.authorization", "*.token", "*.ip", "ip"],
      censor: "[redacted]",
    },
  });
}

export type Logger = pino.Logger;
