import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { startService } from "./service.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`vigil: ${error.message}`);
  process.exit(2);
}
const log = createLogger(config.LOG_LEVEL);
const service = await startService(config, log).catch((error: Error) => {
  log.fatal({ err: error.message }, "could not start");
  process.exit(1);
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    service.stop().then(
      () => process.exit(0),
      (error: Error) => {
        log.error({ err: error.message }, "unclean stop");
        process.exit(1);
      },
    );
  });
}
