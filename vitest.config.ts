import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure packages, no infrastructure, fast) and `integration`
// (real Kafka broker and real PostgreSQL / PGlite; started by scripts/test.sh).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: [
            "test/**/*.test.ts",
            "packages/*/src/**/*.int.test.ts",
            "services/*/src/**/*.int.test.ts",
          ],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // Kafka/PostgreSQL for these tests: KAFKA_BROKERS / TEST_DATABASE_URL if set (scripts/test.sh),
          // else testcontainers when Docker answers (test/support/brokers.ts).
          globalSetup: ["./test/support/globalSetup.ts"],
        },
      },
    ],
  },
});
