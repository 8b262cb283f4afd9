import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DbHandle } from "@runnel/db";
import type { NodeDefinition, NodeDirective } from "@runnel/nodes";
import { applyMigrations, createDb } from "@runnel/db";
import { codeNode, httpRequestNode, llmStructuredNode, llmTextNode } from "@runnel/nodes";

import type { FakeOpenAIServer } from "../testing/fake-openai";
import type { EngineServices, StepNodeContext } from "./node-context";
import { seedCredential, seedOrg } from "../testing/credentials";
import { startFakeOpenAI } from "../testing/fake-openai";
import { SsrfBlockedError } from "./http/address-policy";
import { createEngineServices, createNodeContext } from "./node-context";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const masterKey = randomBytes(32);
let handle: DbHandle;
let openai: FakeOpenAIServer;
let services: EngineServices & { close(): Promise<void> };
let guarded: EngineServices & { close(): Promise<void> };
let server: ReturnType<typeof createServer>;
let base: string;
const seen: Seen[] = [];
let orgId: string;
const creds = { bearer: "", basic: "", header: "", openai: "" };

function handler(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    if (req.url?.startsWith("/missing")) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("no such thing");
    } else if (req.url?.startsWith("/text")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("plain words");
    } else if (req.url?.startsWith("/big")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(10_000));
    } else {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "x-server": "test" });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    }
  });
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  openai = await startFakeOpenAI({ apiKey: "sk-node-test" });
  handle = await createDb();
  await applyMigrations(handle);
  orgId = await seedOrg(handle.db);
  creds.bearer = await seedCredential(handle.db, {
    masterKey,
    orgId,
    type: "httpBearer",
    data: { token: "tok-secret-123" },
  });
  creds.basic = await seedCredential(handle.db, {
    masterKey,
    orgId,
    type: "httpBasic",
    data: { username: "ada", password: "pässword" },
  });
  creds.header = await seedCredential(handle.db, {
    masterKey,
    orgId,
    type: "httpHeader",
    data: { name: "X-Api-Key", value: "key-456" },
  });
  creds.openai = await seedCredential(handle.db, {
    masterKey,
    orgId,
    type: "openai",
    data: { apiKey: "sk-node-test", baseUrl: openai.baseUrl },
  });
  services = createEngineServices({ db: handle.db, masterKey, http: { allow: ["127.0.0.1"] } });
  guarded = createEngineServices({ db: handle.db, masterKey });
}, 60_000);

afterAll(async () => {
  await services.close();
  await guarded.close();
  await openai.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await handle.close();
});

function context(using: EngineServices = services): StepNodeContext {
  return createNodeContext({
    run: { runId: "run_1", orgId, flowId: "flow_1", nodeId: "step_a", attempt: 1 },
    services: using,
  });
}

async function run(
  node: NodeDefinition,
  config: unknown,
  ctx: StepNodeContext,
  inputs: Record<string, unknown> = {},
): Promise<NodeDirective> {
  return node.run({ config, inputs, ctx, event: null });
}

function emitted(directive: NodeDirective): unknown {
  expect(directive.kind).toBe("emit");
  return directive.kind === "emit" ? directive.value : undefined;
}

describe("http_request node with the real services", () => {
  it("sends a GET with query and headers and parses the JSON response", async () => {
    const out = emitted(
      await run(
        httpRequestNode,
        { url: `${base}/items?a=1`, query: { b: "two words" }, headers: { "X-Trace": "t1" } },
        context(),
      ),
    );
    expect(out).toMatchObject({
      status: 200,
      headers: { "x-server": "test" },
      body: { method: "GET", url: "/items?a=1&b=two+words", body: "" },
    });
    expect(seen.at(-1)?.headers["x-trace"]).toBe("t1");
  });

  it("sends JSON, text and form bodies with their content types", async () => {
    await run(
      httpRequestNode,
      { method: "POST", url: `${base}/json`, body: { type: "json", json: { a: [1, 2] } } },
      context(),
    );
    expect(seen.at(-1)).toMatchObject({
      method: "POST",
      body: '{"a":[1,2]}',
      headers: { "content-type": "application/json" },
    });
    await run(
      httpRequestNode,
      {
        method: "PUT",
        url: `${base}/text`,
        body: { type: "text", text: "hello", contentType: "text/csv" },
      },
      context(),
    );
    expect(seen.at(-1)).toMatchObject({
      method: "PUT",
      body: "hello",
      headers: { "content-type": "text/csv" },
    });
    await run(
      httpRequestNode,
      {
        method: "PATCH",
        url: `${base}/form`,
        body: { type: "form", fields: { q: "a&b", n: "1" } },
      },
      context(),
    );
    expect(seen.at(-1)).toMatchObject({
      body: "q=a%26b&n=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  });

  it("authenticates with bearer, basic and header credentials, and redacts them from logs", async () => {
    const ctx = context();
    await run(
      httpRequestNode,
      { url: `${base}/a`, authentication: "bearer", bearerCredential: creds.bearer },
      ctx,
    );
    expect(seen.at(-1)?.headers.authorization).toBe("Bearer tok-secret-123");
    await run(
      httpRequestNode,
      { url: `${base}/b`, authentication: "basic", basicCredential: creds.basic },
      ctx,
    );
    expect(seen.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from("ada:pässword").toString("base64")}`,
    );
    await run(
      httpRequestNode,
      { url: `${base}/c`, authentication: "header", headerCredential: creds.header },
      ctx,
    );
    expect(seen.at(-1)?.headers["x-api-key"]).toBe("key-456");
    ctx.log.log("info", "token was tok-secret-123", { nested: ["key-456"] });
    expect(ctx.logs.at(-1)).toMatchObject({
      message: "token was [redacted]",
      data: { nested: ["[redacted]"] },
    });
  });

  it("refuses a credential of another type, naming it", async () => {
    await expect(
      run(
        httpRequestNode,
        { url: `${base}/a`, authentication: "bearer", bearerCredential: creds.basic },
        context(),
      ),
    ).rejects.toThrow(new RegExp(`Credential ${creds.basic} is of type "httpBasic"`));
  });

  it("fails on 4xx by default and returns the status when told not to", async () => {
    await expect(run(httpRequestNode, { url: `${base}/missing` }, context())).rejects.toThrow(
      /answered 404: no such thing/,
    );
    const out = emitted(
      await run(httpRequestNode, { url: `${base}/missing`, failOnHttpError: false }, context()),
    );
    expect(out).toMatchObject({ status: 404, body: "no such thing" });
  });

  it("returns text or base64 as asked and enforces the size cap", async () => {
    expect(emitted(await run(httpRequestNode, { url: `${base}/text` }, context()))).toMatchObject({
      body: "plain words",
    });
    expect(
      emitted(
        await run(httpRequestNode, { url: `${base}/text`, responseFormat: "base64" }, context()),
      ),
    ).toMatchObject({
      body: Buffer.from("plain words").toString("base64"),
    });
    await expect(
      run(httpRequestNode, { url: `${base}/big`, maxResponseBytes: 1000 }, context()),
    ).rejects.toThrow(/larger than the limit of 1000 bytes/);
  });

  it("sends a stable idempotency key when asked", async () => {
    await run(
      httpRequestNode,
      {
        method: "POST",
        url: `${base}/pay`,
        sendIdempotencyKey: true,
        body: { type: "json", json: {} },
      },
      context(),
    );
    expect(seen.at(-1)?.headers["idempotency-key"]).toBe("runnel-run_1-step_a");
  });

  it("is blocked by the SSRF guard when the target is not allow-listed", async () => {
    const before = seen.length;
    const error = await run(httpRequestNode, { url: `${base}/internal` }, context(guarded)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toContain("127.0.0.1");
    expect(seen.length).toBe(before);
  });

  it("rejects invalid config with a path", async () => {
    await expect(
      run(
        httpRequestNode,
        { url: `${base}/x`, method: "GET", body: { type: "json", json: 1 } },
        context(),
      ),
    ).rejects.toThrow(/config\.body/);
    await expect(
      run(httpRequestNode, { url: `${base}/x`, authentication: "basic" }, context()),
    ).rejects.toThrow(/config\.basicCredential/);
    await expect(
      run(httpRequestNode, { url: "ftp://example.test/file" }, context()),
    ).rejects.toThrow(/config\.url/);
  });
});

describe("code node with the real sandbox", () => {
  it("returns the code's JSON and sends console lines to the step log", async () => {
    const ctx = context();
    const out = emitted(
      await run(
        codeNode,
        {
          code: 'console.log("count", input.items.length); console.warn("careful"); return { total: input.items.reduce((a, b) => a + b, 0) };',
        },
        ctx,
        {
          in: { items: [1, 2, 3] },
        },
      ),
    );
    expect(out).toEqual({ total: 6 });
    expect(ctx.logs.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: "info", message: "count 3" },
      { level: "warn", message: "careful" },
    ]);
  });

  it("stops at the time limit and still logs what was printed", async () => {
    const ctx = context();
    await expect(
      run(codeNode, { code: 'console.log("started"); while (true) {}', timeoutMs: 200 }, ctx),
    ).rejects.toThrow(/exceeded its 200 ms time limit/);
    expect(ctx.logs.map((l) => l.message)).toEqual(["started"]);
  });

  it("stops at the memory limit", async () => {
    await expect(
      run(
        codeNode,
        { code: "const a = []; for (;;) a.push({ n: a.length });", memoryMb: 8, timeoutMs: 20_000 },
        context(),
      ),
    ).rejects.toThrow(/exceeded its 8 MB memory limit/);
  });

  it("reaches no host object", async () => {
    await expect(
      run(
        codeNode,
        { code: "return this.constructor.constructor('return process')().env;" },
        context(),
      ),
    ).rejects.toThrow(/ReferenceError: 'process' is not defined/);
  });
});

describe("LLM nodes against the fake OpenAI-compatible server", () => {
  it("llm_text returns text and usage and records usage on the step", async () => {
    openai.enqueue({ text: "Three words here", usage: { inputTokens: 7, outputTokens: 3 } });
    const ctx = context();
    const out = emitted(
      await run(
        llmTextNode,
        {
          credential: creds.openai,
          model: "llama3.2",
          system: "Short.",
          prompt: "Say three words",
          temperature: 0,
        },
        ctx,
      ),
    );
    expect(out).toEqual({
      text: "Three words here",
      finishReason: "stop",
      usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10, costUsd: null },
    });
    // An unpriced model (a local one) adds nothing to the step's cost.
    expect(ctx.usage).toEqual({ inputTokens: 7, outputTokens: 3, totalTokens: 10, costUsd: 0 });
    expect(openai.requests.at(-1)).toMatchObject({
      apiKey: "sk-node-test",
      model: "llama3.2",
      prompt: "Say three words",
      system: "Short.",
    });
  });

  it("llm_structured returns an object matching the schema", async () => {
    const schema = {
      type: "object",
      properties: { sentiment: { type: "string", enum: ["positive", "negative"] } },
      required: ["sentiment"],
    };
    openai.enqueue({
      text: '{"sentiment":"positive"}',
      usage: { inputTokens: 9, outputTokens: 4 },
    });
    const ctx = context();
    const out = emitted(
      await run(
        llmStructuredNode,
        { credential: creds.openai, model: "gpt-test", prompt: "I love it", schema },
        ctx,
      ),
    );
    expect(out).toEqual({
      object: { sentiment: "positive" },
      usage: { inputTokens: 9, outputTokens: 4, totalTokens: 13, costUsd: null },
    });
    expect(ctx.usage.totalTokens).toBe(13);
  });

  it("llm_structured fails clearly when the model's object breaks the schema", async () => {
    const schema = {
      type: "object",
      properties: { sentiment: { type: "string", enum: ["positive", "negative"] } },
      required: ["sentiment"],
    };
    openai.enqueue('{"sentiment":"meh"}');
    await expect(
      run(
        llmStructuredNode,
        { credential: creds.openai, model: "gpt-test", prompt: "hmm", schema },
        context(),
      ),
    ).rejects.toThrow(/did not return an object matching the output schema/);
  });

  it("llm nodes refuse a credential of another type", async () => {
    await expect(
      run(llmTextNode, { credential: creds.bearer, model: "m", prompt: "x" }, context()),
    ).rejects.toThrow(
      new RegExp(
        `Credential ${creds.bearer} is of type "httpBearer", but this node needs a "openai" or "openaiCompatible" or "anthropic" or "gemini" credential`,
      ),
    );
  });
});
