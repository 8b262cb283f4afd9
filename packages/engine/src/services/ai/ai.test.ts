import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import { applyMigrations, createDb } from "@runnel/db";

import type { FakeOpenAIServer } from "../../testing/fake-openai";
import { seedCredential, seedOrg } from "../../testing/credentials";
import { startFakeOpenAI } from "../../testing/fake-openai";
import { createCredentialsService } from "../credentials/credentials";
import { SsrfBlockedError } from "../http/address-policy";
import { createHttpService } from "../http/safe-fetch";
import { AiCallError, createAiService } from "./ai";

const masterKey = randomBytes(32);
let handle: DbHandle;
let server: FakeOpenAIServer;
let orgId: string;
let credentialId: string;
let noKeyCredentialId: string;
const http = createHttpService({ allow: ["127.0.0.1"] });

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: "sk-live" });
  handle = await createDb();
  await applyMigrations(handle);
  orgId = await seedOrg(handle.db);
  credentialId = await seedCredential(handle.db, {
    masterKey,
    orgId,
    type: "openai",
    data: { apiKey: "sk-live", baseUrl: server.baseUrl },
  });
  noKeyCredentialId = await seedCredential(handle.db, {
    masterKey,
    orgId,
    type: "openai",
    data: { baseUrl: server.baseUrl },
  });
}, 60_000);

afterAll(async () => {
  await server.close();
  await http.close();
  await handle.close();
});

const service = () =>
  createAiService({
    credentials: createCredentialsService({ db: handle.db, masterKey, orgId }),
    http,
  });

describe("AI service against an OpenAI-compatible server", () => {
  it("generates text with the credential's key and base URL, returning usage", async () => {
    server.enqueue({ text: "A haiku.", usage: { inputTokens: 12, outputTokens: 2 } });
    const result = await service().generateText({
      credentialId,
      model: "llama3",
      system: "Be brief.",
      prompt: "Write a haiku",
      temperature: 0.2,
      maxOutputTokens: 50,
    });
    expect(result).toEqual({
      text: "A haiku.",
      usage: { inputTokens: 12, outputTokens: 2, totalTokens: 14 },
      finishReason: "stop",
    });
    const request = server.requests.at(-1);
    expect(request?.endpoint).toBe("chat.completions");
    expect(request?.apiKey).toBe("sk-live");
    expect(request?.model).toBe("llama3");
    expect(request?.system).toBe("Be brief.");
    expect(request?.body.temperature).toBe(0.2);
    expect(request?.body.max_tokens).toBe(50);
  });

  it("generates an object matching a JSON Schema", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, population: { type: "number" } },
      required: ["city", "population"],
      additionalProperties: false,
    };
    server.enqueue({
      text: JSON.stringify({ city: "Lyon", population: 522000 }),
      usage: { inputTokens: 20, outputTokens: 9 },
    });
    const result = await service().generateObject({
      credentialId,
      model: "gpt-test",
      prompt: "Biggest city after Paris?",
      jsonSchema: schema,
    });
    expect(result).toEqual({
      object: { city: "Lyon", population: 522000 },
      usage: { inputTokens: 20, outputTokens: 9, totalTokens: 29 },
    });
    const format = server.requests.at(-1)?.body.response_format as {
      type: string;
      json_schema?: { schema: unknown };
    };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema?.schema).toMatchObject({ required: ["city", "population"] });
  });

  it("explains an object that does not match the schema", async () => {
    const schema = { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
    server.enqueue(JSON.stringify({ n: "not a number" }));
    await expect(
      service().generateObject({
        credentialId,
        model: "gpt-test",
        prompt: "n?",
        jsonSchema: schema,
      }),
    ).rejects.toThrow(/did not return an object matching the output schema/);
  });

  it("embeds values", async () => {
    const result = await service().embed({
      credentialId,
      model: "embed-test",
      values: ["a b", "c"],
    });
    expect(result.embeddings).toHaveLength(2);
    expect(result.usage).toEqual({ inputTokens: 3, outputTokens: 0, totalTokens: 3 });
  });

  it("reports provider errors with status and model", async () => {
    server.enqueue({
      error: { status: 500, message: "The server had an error", type: "server_error" },
    });
    const error = await service()
      .generateText({ credentialId, model: "gpt-test", prompt: "x" })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AiCallError);
    expect((error as AiCallError).status).toBe(500);
    expect((error as Error).message).toMatch(/Model gpt-test call to .* failed with status 500/);
    expect((error as Error).message).not.toContain("sk-live");
  });

  it("refuses a credential without an API key", async () => {
    await expect(
      service().generateText({ credentialId: noKeyCredentialId, model: "m", prompt: "x" }),
    ).rejects.toThrow(new RegExp(`Credential ${noKeyCredentialId} has no apiKey`));
  });

  it("sends model calls through the SSRF guard: a private base URL is blocked without an allow-list entry", async () => {
    const guarded = createHttpService();
    const before = server.requests.length;
    const ai = createAiService({
      credentials: createCredentialsService({ db: handle.db, masterKey, orgId }),
      http: guarded,
    });
    const error = await ai.generateText({ credentialId, model: "m", prompt: "x" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect(server.requests.length).toBe(before);
    await guarded.close();
  });
});
