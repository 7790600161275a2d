import { type Sql, scrubRawIps } from "@vigil/store";
import type { Logger } from "./log.ts";

/** Forgets raw IPs older than the retention window, now and then every `intervalMinutes`. */
export function startRetention(options: { sql: Sql; log: Logger; days: number; intervalMinutes: number }) {
  const run = async () => {
    try {
      const scrubbed = await scrubRawIps(options.sql, options.days, new Date().toISOString());
      if (scrubbed > 0) options.log.info({ scrubbed, days: options.days }, "raw IPs past retention removed");
    } catch (error) {
      options.log.warn({ err: (error as Error).message }, "retention run failed; will retry");
    }
  };
  const first = run();
  const timer = setInterval(run, options.intervalMinutes * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await first;
    },
  };
}
