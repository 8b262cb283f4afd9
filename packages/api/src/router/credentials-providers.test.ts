import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type {
  FakeAnthropicServer,
  FakeGeminiServer,
  FakeOpenAIServer,
} from "@runnel/engine/testing";
import { createHttpService } from "@runnel/engine/services";
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI } from "@runnel/engine/testing";

import type { Harness } from "../../test/harness";
import { createHarness, failure } from "../../test/harness";

const KEY = "sk-provider-SECRET-987";
const http = createHttpService({ allow: ["127.0.0.1"] });
let t: Harness;
let openai: FakeOpenAIServer;
let anthropic: FakeAnthropicServer;
let gemini: FakeGeminiServer;

beforeAll(async () => {
  t = await createHarness({ http });
  openai = await startFakeOpenAI({ apiKey: KEY, models: ["gpt-4.1-mini", "gpt-4o-mini"] });
  anthropic = await startFakeAnthropic({ apiKey: KEY, models: ["claude-sonnet-4-5"] });
  gemini = await startFakeGemini({ apiKey: KEY, models: ["gemini-2.5-flash"] });
}, 60_000);
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), gemini.close(), http.close()]);
  await t.close();
});

describe("model provider credentials: settings, Test connection, model list", () => {
  it("shows an OpenAI-compatible base URL after saving, never the key", async () => {
    const ada = await t.user("Ada");
    const created = await ada.caller.credentials.create({
      type: "openaiCompatible",
      name: "Ollama",
      data: { baseUrl: openai.baseUrl, apiKey: KEY },
    });
    const [listed] = await ada.caller.credentials.list();
    expect(listed).toMatchObject({ id: created.id, settings: { baseUrl: openai.baseUrl } });
    expect(JSON.stringify(listed)).not.toContain(KEY);
  });

  it("needs a base URL for an OpenAI-compatible server and a key for the others", async () => {
    const ada = await t.user("Ada");
    const noUrl = await failure(
      ada.caller.credentials.create({ type: "openaiCompatible", name: "x", data: {} }),
    );
    expect(Object.keys(noUrl.fieldErrors ?? {})).toEqual(["data.baseUrl"]);
    const noKey = await failure(
      ada.caller.credentials.create({ type: "anthropic", name: "x", data: {} }),
    );
    expect(Object.keys(noKey.fieldErrors ?? {})).toEqual(["data.apiKey"]);
  });

  it.each([
    ["openai", () => openai.baseUrl, ["gpt-4.1-mini", "gpt-4o-mini"]],
    ["openaiCompatible", () => openai.baseUrl, ["gpt-4.1-mini", "gpt-4o-mini"]],
    ["anthropic", () => anthropic.baseUrl, ["claude-sonnet-4-5"]],
    ["gemini", () => gemini.baseUrl, ["gemini-2.5-flash"]],
  ] as const)("%s: tests the connection and lists the models", async (type, baseUrl, models) => {
    const ada = await t.user("Ada");
    const { id } = await ada.caller.credentials.create({
      type,
      name: type,
      data: { apiKey: KEY, baseUrl: baseUrl() },
    });
    expect(await ada.caller.credentials.test({ id })).toEqual({ ok: true, models: models.length });
    expect(await ada.caller.credentials.models({ id })).toEqual({ models });
  });

  it.each([
    ["openai", () => openai.baseUrl],
    ["anthropic", () => anthropic.baseUrl],
    ["gemini", () => gemini.baseUrl],
  ] as const)(
    "%s: a wrong key fails the test with the status, never echoing the key",
    async (type, baseUrl) => {
      const ada = await t.user("Ada");
      const wrong = "sk-wrong-KEY-000111";
      const { id } = await ada.caller.credentials.create({
        type,
        name: type,
        data: { apiKey: wrong, baseUrl: baseUrl() },
      });
      const error = await failure(ada.caller.credentials.test({ id }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toMatch(/rejected the credential \(status 401\)/);
      expect(error.message).not.toContain(wrong);
    },
  );

  it("reports an unreachable server", async () => {
    const ada = await t.user("Ada");
    const { id } = await ada.caller.credentials.create({
      type: "openaiCompatible",
      name: "down",
      data: { baseUrl: "http://127.0.0.1:9/v1" },
    });
    const error = await failure(ada.caller.credentials.test({ id }));
    expect(error.message).toMatch(/OpenAI-compatible: could not reach http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it("refuses a credential that is not a model provider's", async () => {
    const ada = await t.user("Ada");
    const { id } = await ada.caller.credentials.create({
      type: "httpBearer",
      name: "token",
      data: { token: "abc" },
    });
    const error = await failure(ada.caller.credentials.models({ id }));
    expect(error.message).toMatch(/is a httpBearer credential, not a model provider's/);
  });
});
