import { describe, expect, it } from "vitest";

import { modeFromEnv, runtimeEnv } from "./env";

const modeOf = (source: Record<string, string | undefined>) => modeFromEnv(runtimeEnv(source));

describe("modeFromEnv", () => {
  it("runs Runnel's flows on the direct driver in embedded mode by default", () => {
    expect(modeOf({})).toEqual({ kind: "embedded", runFlow: "direct" });
  });

  it("keeps the SDK path selectable with RUNNEL_RUN_FLOW=sdk", () => {
    expect(modeOf({ RUNNEL_RUN_FLOW: "sdk" })).toEqual({ kind: "embedded", runFlow: "sdk" });
    expect(modeOf({ RUNNEL_RUN_FLOW: "direct" })).toEqual({ kind: "embedded", runFlow: "direct" });
  });

  it("refuses any other RUNNEL_RUN_FLOW, naming the variable", () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(...args);
    try {
      expect(() => runtimeEnv({ RUNNEL_RUN_FLOW: "fast" })).toThrow(/Invalid environment/);
    } finally {
      console.error = original;
    }
    expect(JSON.stringify(errors)).toContain('RUNNEL_RUN_FLOW must be \\"direct\\" or \\"sdk\\"');
    expect(JSON.stringify(errors)).toContain("RUNNEL_RUN_FLOW");
  });

  it("selects Inngest when an INNGEST_* setting is present, whatever RUNNEL_RUN_FLOW says", () => {
    expect(
      modeOf({
        INNGEST_BASE_URL: "http://127.0.0.1:8288",
        INNGEST_DEV: "1",
        RUNNEL_RUN_FLOW: "direct",
      }),
    ).toEqual({ kind: "inngest", baseUrl: "http://127.0.0.1:8288", isDev: true });
    expect(modeOf({ INNGEST_DEV: "0" })).toEqual({ kind: "embedded", runFlow: "direct" });
  });
});
