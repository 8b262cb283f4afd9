import { runnelVitestConfig } from "@runnel/vitest-config";

export default runnelVitestConfig();
