import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Harness } from "../../test/harness";
import { createHarness, failure } from "../../test/harness";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

describe("nodes.catalogue", () => {
  it("lists every node type with UI metadata, ports and a config JSON Schema", async () => {
    const ada = await t.user("Ada");
    const entries = await ada.caller.nodes.catalogue();
    const types = entries.map((e) => `${e.type}@${e.version}`);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(
      expect.arrayContaining(["manual_trigger@1", "webhook_trigger@1", "set@1", "http_request@1"]),
    );
    const webhook = entries.find((e) => e.type === "webhook_trigger");
    expect(webhook).toMatchObject({
      kind: "trigger",
      trigger: "webhook",
      ui: { label: "Webhook", category: "trigger", icon: "webhook" },
      outputs: { out: { type: "object" } },
      credentials: [{ key: "signatureCredentialId", type: "webhookSecret", required: false }],
    });
    expect(webhook?.configSchema).toMatchObject({
      type: "object",
      properties: { methods: { type: "array" }, signatureHeader: { type: "string" } },
    });
    const set = entries.find((e) => e.type === "set");
    expect(set?.inputs.in).toMatchObject({ type: "object", required: false, multiple: false });
  });

  it("needs a signed-in user or an API key", async () => {
    expect((await failure((await t.caller()).nodes.catalogue())).code).toBe("UNAUTHORIZED");
  });
});
