import { defineConfig } from "vitest/config";

/**
 * Shared test settings: tests sit beside the code; real databases make them slower than unit tests.
 * @param {{ include?: string[]; testTimeout?: number }} [overrides]
 */
export function runnelVitestConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: overrides.include ?? ["src/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      pool: "forks",
    },
  });
}
