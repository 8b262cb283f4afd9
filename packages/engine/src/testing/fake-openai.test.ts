import { createOpenAI } from "@ai-sdk/openai";
import { embedMany, generateText, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FakeOpenAIServer } from "./fake-openai";
import { startFakeOpenAI } from "./fake-openai";

let server: FakeOpenAIServer;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: "sk-test" });
});

afterAll(async () => {
  await server.close();
});

const provider = () => createOpenAI({ apiKey: "sk-test", baseURL: server.baseUrl });

describe("fake OpenAI server, through the AI SDK", () => {
  it("answers chat completions with a queued reply and usage, recording the request", async () => {
    server.enqueue({ text: "Bonjour le monde", usage: { inputTokens: 11, outputTokens: 3 } });
    const result = await generateText({
      model: provider().chat("gpt-test"),
      instructions: "Translate.",
      prompt: "Hello world",
      maxRetries: 0,
    });
    expect(result.text).toBe("Bonjour le monde");
    expect(result.usage.inputTokens).toBe(11);
    expect(result.usage.outputTokens).toBe(3);
    const request = server.requests.at(-1);
    expect(request).toMatchObject({
      endpoint: "chat.completions",
      apiKey: "sk-test",
      model: "gpt-test",
      prompt: "Hello world",
      system: "Translate.",
      stream: false,
    });
  });

  it("streams chat completions over SSE with usage in the final chunk", async () => {
    server.enqueue("one two three");
    const result = streamText({
      model: provider().chat("gpt-test"),
      prompt: "count",
      maxRetries: 0,
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join("")).toBe("one two three");
    expect(deltas.length).toBeGreaterThan(1);
    const usage = await result.usage;
    expect(usage).toMatchObject({ inputTokens: 1, outputTokens: 3 });
    expect(server.requests.at(-1)?.stream).toBe(true);
  });

  it("answers the responses API, plain and streamed", async () => {
    server.enqueue("from responses");
    const plain = await generateText({
      model: provider().responses("gpt-test"),
      prompt: "hi there",
      maxRetries: 0,
    });
    expect(plain.text).toBe("from responses");
    expect(plain.usage.totalTokens).toBe(4);
    expect(server.requests.at(-1)?.endpoint).toBe("responses");

    server.enqueue("streamed responses text");
    const streamed = streamText({
      model: provider().responses("gpt-test"),
      prompt: "again",
      maxRetries: 0,
    });
    let text = "";
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe("streamed responses text");
    expect((await streamed.usage).outputTokens).toBe(3);
  });

  it("answers embeddings deterministically", async () => {
    const model = provider().embedding("embed-test");
    const first = await embedMany({ model, values: ["alpha", "beta gamma"], maxRetries: 0 });
    const again = await embedMany({ model, values: ["alpha"], maxRetries: 0 });
    expect(first.embeddings).toHaveLength(2);
    expect(first.embeddings[0]).toHaveLength(8);
    expect(again.embeddings[0]).toEqual(first.embeddings[0]);
    expect(first.usage.tokens).toBe(3);
  });

  it("uses the reply function after the queue and answers scripted errors", async () => {
    const scripted = await startFakeOpenAI({ reply: (request) => `model=${request.model ?? "?"}` });
    const openai = createOpenAI({ apiKey: "k", baseURL: scripted.baseUrl });
    scripted.enqueue({
      error: {
        status: 429,
        message: "Rate limit reached",
        type: "requests",
        code: "rate_limit_exceeded",
      },
    });
    await expect(
      generateText({ model: openai.chat("m1"), prompt: "x", maxRetries: 0 }),
    ).rejects.toThrow(/Rate limit reached/);
    const ok = await generateText({ model: openai.chat("m2"), prompt: "x", maxRetries: 0 });
    expect(ok.text).toBe("model=m2");
    await scripted.close();
  });

  it("refuses a wrong API key like OpenAI", async () => {
    const openai = createOpenAI({ apiKey: "sk-wrong", baseURL: server.baseUrl });
    await expect(
      generateText({ model: openai.chat("gpt-test"), prompt: "x", maxRetries: 0 }),
    ).rejects.toThrow(/Incorrect API key/);
  });
});
