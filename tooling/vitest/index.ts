import { defineConfig } from "vitest/config";

/** Shared test settings: tests sit beside the code, real databases make them slower than unit tests. */
export function runnelVitestConfig(overrides: { include?: string[]; testTimeout?: number } = {}) {
  return defineConfig({
    test: {
      include: overrides.include ?? ["src/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      pool: "forks",
      reporters: ["default"],
    },
  });
}
