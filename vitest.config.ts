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
          include: ["test/**/*.test.ts", "packages/*/src/**/*.int.test.ts", "services/*/src/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
