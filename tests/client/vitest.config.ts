import { mergeConfig } from "vitest/config";

import { runnelVitestConfig } from "@runnel/vitest-config";

// next-auth imports "next/server" without an extension, which Node's ESM loader refuses; let Vite resolve it.
export default mergeConfig(runnelVitestConfig(), {
  test: { server: { deps: { inline: ["next-auth"] } } },
});
