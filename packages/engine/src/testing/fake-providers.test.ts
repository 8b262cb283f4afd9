import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FakeReply } from "./fake-provider";
import { startFakeAnthropic } from "./fake-anthropic";
import { startFakeGemini } from "./fake-gemini";
import { startFakeOpenAI } from "./fake-openai";

/**
 * Each fake provider, driven by the AI SDK's own provider for it: text and tool calls, streamed and not, and a
 * stream cut off before its end. Agents (issue 13) build on these.
 */

const KEY = "test-key-123";

interface Harness {
  name: string;
  start: () => Promise<{
    baseUrl: string;
    enqueue(...r: FakeReply[]): void;
    close(): Promise<void>;
    requests: { stream: boolean; apiKey: string | null }[];
  }>;
  model: (baseUrl: string, key?: string) => Parameters<typeof generateText>[0]["model"];
}

const harnesses: Harness[] = [
  {
    name: "OpenAI chat completions",
    start: () => startFakeOpenAI({ apiKey: KEY }),
    model: (baseURL, key = KEY) => createOpenAI({ apiKey: key, baseURL }).chat("gpt-test"),
  },
  {
    name: "OpenAI responses",
    start: () => startFakeOpenAI({ apiKey: KEY }),
    model: (baseURL, key = KEY) => createOpenAI({ apiKey: key, baseURL }).responses("gpt-test"),
  },
  {
    name: "Anthropic messages",
    start: () => startFakeAnthropic({ apiKey: KEY }),
    model: (baseURL, key = KEY) => createAnthropic({ apiKey: key, baseURL })("claude-test"),
  },
  {
    name: "Gemini generateContent",
    start: () => startFakeGemini({ apiKey: KEY }),
    model: (baseURL, key = KEY) =>
      createGoogleGenerativeAI({ apiKey: key, baseURL })("gemini-test"),
  },
];

const weather = tool({
  description: "Weather in a city",
  inputSchema: jsonSchema<{ city: string }>({
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  }),
});

describe.each(harnesses)("fake $name", ({ start, model }) => {
  let fake: Awaited<ReturnType<Harness["start"]>>;
  beforeAll(async () => {
    fake = await start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it("answers text with usage, not streamed", async () => {
    fake.enqueue({ text: "Hello there", usage: { inputTokens: 7, outputTokens: 2 } });
    const result = await generateText({ model: model(fake.baseUrl), prompt: "Hi", maxRetries: 0 });
    expect(result.text).toBe("Hello there");
    expect(result.usage).toMatchObject({ inputTokens: 7, outputTokens: 2 });
    expect(fake.requests.at(-1)).toMatchObject({ stream: false, apiKey: KEY });
  });

  it("streams text word by word", async () => {
    fake.enqueue({ text: "one two three", usage: { inputTokens: 3, outputTokens: 3 } });
    const result = streamText({ model: model(fake.baseUrl), prompt: "Count", maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join("")).toBe("one two three");
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect((await result.usage).outputTokens).toBe(3);
    expect(fake.requests.at(-1)?.stream).toBe(true);
  });

  it.each([false, true])("makes tool calls (streamed: %s)", async (streamed) => {
    fake.enqueue({ toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }] });
    const options = {
      model: model(fake.baseUrl),
      prompt: "Weather in Oslo?",
      tools: { weather },
      maxRetries: 0,
    };
    const calls = streamed
      ? await streamText(options).toolCalls
      : (await generateText(options)).toolCalls;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ toolName: "weather", input: { city: "Oslo" } });
  });

  it("ends a stream cut off before its end as interrupted, keeping the text received", async () => {
    fake.enqueue({ truncated: true, text: "Half an" });
    const result = streamText({ model: model(fake.baseUrl), prompt: "x", maxRetries: 0 });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(await result.finishReason).toBe("interrupted");
    expect("Half an".startsWith(text)).toBe(true);
  });

  it("refuses a wrong key with 401", async () => {
    const error = await generateText({
      model: model(fake.baseUrl, "wrong-key"),
      prompt: "x",
      maxRetries: 0,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ statusCode: 401 });
  });

  it("answers 429 with Retry-After", async () => {
    fake.enqueue({ error: { status: 429, message: "Too many requests", retryAfter: 7 } });
    const error = await generateText({
      model: model(fake.baseUrl),
      prompt: "x",
      maxRetries: 0,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ statusCode: 429, responseHeaders: { "retry-after": "7" } });
  });
});
