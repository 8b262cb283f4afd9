import { runnelVitestConfig } from "@runnel/vitest-config";

// PGlite opens in ~2 s alone but much slower on a loaded 2-core machine: generous bounds, no flakes.
export default runnelVitestConfig({ testTimeout: 120_000 });
