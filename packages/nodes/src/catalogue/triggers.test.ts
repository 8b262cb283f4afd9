import { describe, expect, it } from "vitest";

import { runPure } from "../test-context";
import { apiTrigger } from "./api-trigger";
import { manualTrigger } from "./manual-trigger";
import { scheduleTrigger } from "./schedule-trigger";
import { webhookTrigger } from "./webhook-trigger";

const personSchema = {
  type: "object",
  properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } },
  required: ["name"],
};

describe("manual trigger", () => {
  it("emits input that matches its JSON Schema", async () => {
    await expect(
      runPure(manualTrigger, { inputSchema: personSchema }, {}, { name: "Ada", age: 36 }),
    ).resolves.toEqual({
      kind: "emit",
      port: "out",
      value: { name: "Ada", age: 36 },
    });
  });

  it("refuses input that does not match, naming the field", async () => {
    await expect(
      runPure(manualTrigger, { inputSchema: personSchema }, {}, { age: -1 }),
    ).rejects.toThrow(/does not match the input schema: name: /);
  });

  it("accepts any object by default and refuses unusable schemas", async () => {
    await expect(runPure(manualTrigger, {}, {}, { anything: [1] })).resolves.toMatchObject({
      value: { anything: [1] },
    });
    expect(manualTrigger.config.safeParse({ inputSchema: { type: "objectx" } }).success).toBe(
      false,
    );
    expect(
      manualTrigger.config.safeParse({ inputSchema: { $ref: "https://example.com/s.json" } })
        .success,
    ).toBe(false);
  });

  it("publishes its input schema as the output schema for expression checks", () => {
    expect(manualTrigger.outputSchemas({ inputSchema: personSchema })).toEqual({
      out: personSchema,
    });
  });
});

describe("api trigger", () => {
  it("validates the request body against the input schema", async () => {
    const config = {
      inputSchema: personSchema,
      outputSchema: { type: "object", properties: { ok: { type: "boolean" } } },
    };
    await expect(runPure(apiTrigger, config, {}, { name: "Lin" })).resolves.toMatchObject({
      port: "out",
      value: { name: "Lin" },
    });
    await expect(runPure(apiTrigger, config, {}, { name: 1 })).rejects.toThrow(
      /request body does not match/,
    );
    expect(apiTrigger.outputSchemas(config)).toEqual({ out: personSchema });
  });
});

describe("webhook trigger", () => {
  const request = {
    method: "POST",
    headers: { "content-type": "application/json" },
    query: { a: "1" },
    body: { id: 7 },
  };

  it("emits the request for accepted methods", async () => {
    await expect(runPure(webhookTrigger, {}, {}, request)).resolves.toEqual({
      kind: "emit",
      port: "out",
      value: request,
    });
  });

  it("refuses methods it does not accept and malformed events", async () => {
    await expect(runPure(webhookTrigger, { methods: ["PUT"] }, {}, request)).rejects.toThrow(
      /method POST is not accepted \(accepted: PUT\)/,
    );
    await expect(runPure(webhookTrigger, {}, {}, { method: "POST" })).rejects.toThrow(
      /event\.headers/,
    );
  });

  it("declares its signature secret as an optional webhookSecret credential and defaults its options", () => {
    expect(webhookTrigger.credentials).toEqual([
      { key: "signatureCredentialId", type: "webhookSecret", required: false },
    ]);
    expect(webhookTrigger.config.parse({})).toEqual({
      methods: ["POST"],
      signatureHeader: "x-runnel-signature",
      respondMode: "immediately",
      responseTimeoutMs: 30_000,
    });
    expect(webhookTrigger.config.safeParse({ methods: [] }).success).toBe(false);
  });
});

describe("schedule trigger", () => {
  it("emits the slot with its cron and time zone", async () => {
    await expect(
      runPure(
        scheduleTrigger,
        { cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin" },
        {},
        { scheduledAt: "2026-11-23T08:00:00.000Z" },
      ),
    ).resolves.toEqual({
      kind: "emit",
      port: "out",
      value: {
        scheduledAt: "2026-11-23T08:00:00.000Z",
        cron: "0 9 * * MON-FRI",
        timezone: "Europe/Berlin",
      },
    });
  });

  it("validates the cron shape and the IANA time zone", () => {
    const ok = [
      "* * * * *",
      "*/15 * * * *",
      "0 0 1,15 * *",
      "30 8 * JAN-MAR 1-5",
      "0 0 L * *",
      "0 0 * * 5L",
      "0 0 * * 1#2",
      "0 0 0 * * *",
      "@hourly",
      "0 12 15W * ?",
    ];
    for (const cron of ok)
      expect(scheduleTrigger.config.safeParse({ cron }).success, cron).toBe(true);
    const bad: [string, RegExp][] = [
      ["* * * *", /5 fields/],
      ["60 * * * *", /minute field "60": 60 is outside 0-59/],
      ["* 24 * * *", /hour field/],
      ["* * 0 * *", /day-of-month field/],
      ["* * * FOO *", /month field "FOO"/],
      ["*/0 * * * *", /step "0"/],
      ["1-2-3 * * * *", /not a range/],
      ["@sometimes", /5 fields/],
    ];
    for (const [cron, message] of bad) {
      const result = scheduleTrigger.config.safeParse({ cron });
      expect(result.success, cron).toBe(false);
      expect(result.error?.issues[0]?.message, cron).toMatch(message);
    }
    expect(
      scheduleTrigger.config.safeParse({ cron: "* * * * *", timezone: "Mars/Olympus" }).success,
    ).toBe(false);
    expect(scheduleTrigger.config.parse({ cron: "* * * * *" }).timezone).toBe("UTC");
  });

  it("refuses an event without a slot", async () => {
    await expect(runPure(scheduleTrigger, { cron: "* * * * *" }, {}, {})).rejects.toThrow(
      /scheduledAt/,
    );
  });
});
