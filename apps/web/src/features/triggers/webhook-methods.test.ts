import { describe, expect, it } from "vitest";

import { webhookMethods } from "./webhook-methods";

describe("webhookMethods", () => {
  it("reads each webhook trigger's methods, POST when the config leaves them out", () => {
    expect(
      webhookMethods({
        nodes: [
          { id: "hook", type: "webhook_trigger", config: { methods: ["GET", "POST"] } },
          { id: "plain", type: "webhook_trigger", config: {} },
          { id: "other", type: "set", config: { methods: ["PUT"] } },
        ],
      }),
    ).toEqual({ hook: ["GET", "POST"], plain: ["POST"] });
    expect(webhookMethods(null)).toEqual({});
  });
});
