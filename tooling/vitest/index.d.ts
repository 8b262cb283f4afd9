import type { UserConfig } from "vitest/config";

export declare function runnelVitestConfig(overrides?: {
  include?: string[];
  testTimeout?: number;
}): UserConfig;
