import { mergeConfig } from "vitest/config";

import { runnelVitestConfig } from "@runnel/vitest-config";

// tsconfig keeps JSX as-is for Next; tests need it compiled with the automatic runtime.
export default mergeConfig(
  runnelVitestConfig({ include: ["src/**/*.test.ts", "src/**/*.test.tsx"] }),
  { oxc: { jsx: { runtime: "automatic" } } },
);
