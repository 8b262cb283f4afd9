import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import { applyMigrations, createDb } from "@runnel/db";

import type { FakeReply } from "../../testing/fake-provider";
import type { AiProvider } from "./providers";
import { seedCredential, seedOrg } from "../../testing/credentials";
import { startFakeAnthropic } from "../../testing/fake-anthropic";
import { startFakeGemini } from "../../testing/fake-gemini";
import { startFakeOpenAI } from "../../testing/fake-openai";
import { createCredentialsService } from "../credentials/credentials";
import { createHttpService } from "../http/safe-fetch";
import { createAiService } from "./ai";
import { AiCallError } from "./errors";

const KEY = "sk-live-0123456789";
const masterKey = randomBytes(32);
let handle: DbHandle;
let orgId: string;
const http = createHttpService({ allow: ["127.0.0.1"] });

interface Fake {
  baseUrl: string;
  requests: {
    endpoint: string;
    model: string | null;
    apiKey: string | null;
    system: string;
    body: Record<string, unknown>;
  }[];
  enqueue(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

/** One fake server per provider, and the endpoint each provider's calls must reach. */
const providers: {
  provider: AiProvider;
  model: string;
  endpoint: string;
  start: () => Promise<Fake>;
}[] = [
  {
    provider: "openai",
    model: "gpt-4o-mini",
    endpoint: "responses",
    start: () => startFakeOpenAI({ apiKey: KEY }),
  },
  {
    provider: "openaiCompatible",
    model: "llama3.2",
    endpoint: "chat.completions",
    start: () => startFakeOpenAI({ apiKey: KEY }),
  },
  {
    provider: "anthropic",
    model: "claude-3-5-haiku-20241022",
    endpoint: "messages",
    start: () => startFakeAnthropic({ apiKey: KEY }),
  },
  {
    provider: "gemini",
    model: "gemini-2.5-flash",
    endpoint: "generateContent",
    start: () => startFakeGemini({ apiKey: KEY }),
  },
];

const fakes = new Map<AiProvider, Fake>();
const credentialIds = new Map<AiProvider, string>();

beforeAll(async () => {
  handle = await createDb();
  await applyMigrations(handle);
  orgId = await seedOrg(handle.db);
  for (const { provider, start } of providers) {
    const fake = await start();
    fakes.set(provider, fake);
    credentialIds.set(
      provider,
      await seedCredential(handle.db, {
        masterKey,
        orgId,
        type: provider,
        data: { apiKey: KEY, baseUrl: fake.baseUrl },
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const fake of fakes.values()) await fake.close();
  await http.close();
  await handle.close();
});

const service = (options: { maxRetries?: number } = {}) =>
  createAiService({
    credentials: createCredentialsService({ db: handle.db, masterKey, orgId }),
    http,
    prices: {
      "gpt-4o-mini": { input: 0.15, output: 0.6 },
      "claude-3-5-haiku": { input: 0.8, output: 4 },
      "gemini-2.5-flash": { input: 0.3, output: 2.5 },
    },
    ...options,
  });

async function failure(promise: Promise<unknown>): Promise<AiCallError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AiCallError);
  return error as AiCallError;
}

const schema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "number" } },
  required: ["city", "population"],
  additionalProperties: false,
};

describe.each(providers)("AI service with $provider", ({ provider, model, endpoint }) => {
  const fake = () => fakes.get(provider) as Fake;
  const credentialId = () => credentialIds.get(provider) as string;

  it("generates text with the credential's key and base URL, with usage and cost", async () => {
    fake().enqueue({ text: "A haiku.", usage: { inputTokens: 1200, outputTokens: 200 } });
    const result = await service().generateText({
      credentialId: credentialId(),
      model,
      system: "Be brief.",
      prompt: "Write a haiku",
      temperature: 0.2,
      maxOutputTokens: 50,
    });
    expect(result.text).toBe("A haiku.");
    expect(result.finishReason).toBe("stop");
    expect(result.usage).toMatchObject({ inputTokens: 1200, outputTokens: 200, totalTokens: 1400 });
    const expected = {
      openai: (1200 * 0.15 + 200 * 0.6) / 1e6,
      openaiCompatible: null,
      anthropic: (1200 * 0.8 + 200 * 4) / 1e6,
      gemini: (1200 * 0.3 + 200 * 2.5) / 1e6,
    }[provider];
    if (expected === null) expect(result.usage.costUsd).toBeNull();
    else expect(result.usage.costUsd).toBeCloseTo(expected, 9);
    const request = fake().requests.at(-1);
    expect(request).toMatchObject({ endpoint, model, apiKey: KEY, system: "Be brief." });
  });

  it("runs a tool turn and sends the calls and their results back in the next turn", async () => {
    fake().enqueue({
      toolCalls: [{ id: "call_w1", name: "weather", arguments: { city: "Lyon" } }],
      usage: { inputTokens: 30, outputTokens: 5 },
    });
    const tools = [
      {
        name: "weather",
        description: "Weather in a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
      },
    ];
    const first = await service().generateTurn({
      credentialId: credentialId(),
      model,
      system: "Use tools.",
      messages: [{ role: "user", text: "Weather in Lyon?" }],
      tools,
    });
    expect(first.toolCalls).toEqual([
      {
        id: provider === "gemini" ? (expect.any(String) as unknown) : "call_w1",
        name: "weather",
        arguments: { city: "Lyon" },
      },
    ]);
    expect(first.usage).toMatchObject({ inputTokens: 30, outputTokens: 5 });
    expect(JSON.stringify(fake().requests.at(-1)?.body)).toContain("Weather in a city");
    const call = first.toolCalls[0];
    if (!call) throw new Error("no tool call");

    fake().enqueue({ text: "Sunny, 21 °C." });
    const second = await service().generateTurn({
      credentialId: credentialId(),
      model,
      messages: [
        { role: "user", text: "Weather in Lyon?" },
        { role: "assistant", content: first.assistant },
        {
          role: "tool",
          results: [
            {
              toolCallId: call.id,
              toolName: "weather",
              output: { sky: "sunny-21" },
              isError: false,
            },
          ],
        },
      ],
      tools,
    });
    expect(second).toMatchObject({ text: "Sunny, 21 °C.", toolCalls: [], finishReason: "stop" });
    const sent = JSON.stringify(fake().requests.at(-1)?.body);
    expect(sent).toContain("sunny-21");
    expect(sent).toContain("weather");
  });

  it("generates an object matching a JSON Schema", async () => {
    fake().enqueue({ text: JSON.stringify({ city: "Lyon", population: 522000 }) });
    const result = await service().generateObject({
      credentialId: credentialId(),
      model,
      prompt: "Biggest city after Paris?",
      jsonSchema: schema,
    });
    expect(result.object).toEqual({ city: "Lyon", population: 522000 });
    expect(result.usage.totalTokens).toBeGreaterThan(0);
  });

  it("fails a call whose object breaks the schema, naming provider and model", async () => {
    fake().enqueue({ text: JSON.stringify({ city: "Lyon", population: "many" }) });
    const error = await failure(
      service().generateObject({
        credentialId: credentialId(),
        model,
        prompt: "x",
        jsonSchema: schema,
      }),
    );
    expect(error.message).toMatch(new RegExp(`model ${model} did not return an object matching`));
  });

  it("reports a 401 once, not retried, naming provider, model and status and never the key", async () => {
    const before = fake().requests.length;
    fake().enqueue({ error: { status: 401, message: `Incorrect API key provided: ${KEY}` } });
    const error = await failure(
      service().generateText({ credentialId: credentialId(), model, prompt: "x" }),
    );
    expect(fake().requests.length).toBe(before + 1);
    expect(error.details).toMatchObject({ provider, model, status: 401, retryable: false });
    expect(error.message).toMatch(
      new RegExp(`model ${model}: the provider rejected the credential \\(status 401\\)`),
    );
    expect(error.message).not.toContain(KEY);
  });

  it("retries a 429 after its Retry-After and succeeds", async () => {
    const before = fake().requests.length;
    fake().enqueue({ error: { status: 429, message: "Slow down", retryAfter: 0 } }, "Done.");
    const result = await service().generateText({
      credentialId: credentialId(),
      model,
      prompt: "x",
    });
    expect(result.text).toBe("Done.");
    expect(fake().requests.length).toBe(before + 2);
  });

  it("gives up on 429s after the retries, saying so with the Retry-After", async () => {
    const busy: FakeReply = { error: { status: 429, message: "Slow down", retryAfter: 0 } };
    fake().enqueue(busy, busy, busy);
    const error = await failure(
      service({ maxRetries: 2 }).generateText({ credentialId: credentialId(), model, prompt: "x" }),
    );
    expect(error.details).toMatchObject({ status: 429, retryable: true, retryAfterMs: 0 });
    expect(error.message).toMatch(
      /rate limited by the provider \(status 429\) after 3 attempts: Slow down/,
    );
  });

  it("retries a 500 and reports it when it persists", async () => {
    const before = fake().requests.length;
    const broken: FakeReply = { error: { status: 500, message: "Internal error", retryAfter: 0 } };
    fake().enqueue(broken, broken);
    const error = await failure(
      service({ maxRetries: 1 }).generateText({ credentialId: credentialId(), model, prompt: "x" }),
    );
    expect(fake().requests.length).toBe(before + 2);
    expect(error.details).toMatchObject({ provider, model, status: 500, retryable: true });
    expect(error.message).toMatch(/the provider failed \(status 500\) after 2 attempts/);
  });

  it("reports a malformed answer without retrying it", async () => {
    const before = fake().requests.length;
    fake().enqueue({ malformed: true });
    const error = await failure(
      service().generateText({ credentialId: credentialId(), model, prompt: "x" }),
    );
    expect(fake().requests.length).toBe(before + 1);
    expect(error.details.retryable).toBe(false);
    expect(error.message).toMatch(new RegExp(`model ${model}`));
  });

  it("reports a body cut mid-JSON", async () => {
    fake().enqueue({ truncated: true, text: "Half an ans" });
    const error = await failure(
      service().generateText({ credentialId: credentialId(), model, prompt: "x" }),
    );
    expect(error.message).toMatch(new RegExp(`model ${model}`));
    expect(error.message).not.toContain(KEY);
  });
});

describe("AI service credentials and guards", () => {
  it("refuses a credential of a type that is not a model provider", async () => {
    const bearer = await seedCredential(handle.db, {
      masterKey,
      orgId,
      type: "httpBearer",
      data: { token: "t" },
    });
    await expect(
      service().generateText({ credentialId: bearer, model: "m", prompt: "x" }),
    ).rejects.toThrow(
      /is of type "httpBearer", but this node needs a "openai" or "openaiCompatible" or "anthropic" or "gemini" credential/,
    );
  });

  it("refuses a provider credential without an API key", async () => {
    const noKey = await seedCredential(handle.db, {
      masterKey,
      orgId,
      type: "anthropic",
      data: {},
    });
    await expect(
      service().generateText({ credentialId: noKey, model: "m", prompt: "x" }),
    ).rejects.toThrow(new RegExp(`Credential ${noKey} \\(Anthropic\\) has no apiKey`));
  });

  it("calls an OpenAI-compatible server that needs no key", async () => {
    const open = await startFakeOpenAI();
    try {
      const id = await seedCredential(handle.db, {
        masterKey,
        orgId,
        type: "openaiCompatible",
        data: { baseUrl: open.baseUrl },
      });
      open.enqueue("Hi from Ollama");
      const result = await service().generateText({
        credentialId: id,
        model: "llama3.2",
        prompt: "hi",
      });
      expect(result.text).toBe("Hi from Ollama");
    } finally {
      await open.close();
    }
  });

  it("embeds values with an OpenAI credential", async () => {
    const result = await service().embed({
      credentialId: credentialIds.get("openai") as string,
      model: "text-embedding-3-small",
      values: ["a b", "c"],
    });
    expect(result.embeddings).toHaveLength(2);
    expect(result.usage).toEqual({ inputTokens: 3, outputTokens: 0, totalTokens: 3 });
  });

  it("sends model calls through the SSRF guard: a private base URL is blocked without an allow-list entry", async () => {
    const guarded = createHttpService();
    const fake = fakes.get("anthropic") as Fake;
    const before = fake.requests.length;
    const ai = createAiService({
      credentials: createCredentialsService({ db: handle.db, masterKey, orgId }),
      http: guarded,
      maxRetries: 0,
    });
    const error = await ai
      .generateText({
        credentialId: credentialIds.get("anthropic") as string,
        model: "m",
        prompt: "x",
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(String(error)).toMatch(/blocked|private|not allowed/i);
    expect(fake.requests.length).toBe(before);
    await guarded.close();
  });
});
