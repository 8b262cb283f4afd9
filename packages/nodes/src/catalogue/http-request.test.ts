import { describe, expect, it } from "vitest";
import { z } from "zod";

import { runPure } from "../test-context";
import { httpRequestNode } from "./http-request";

describe("http_request node (static checks; execution is tested in @runnel/engine with real services)", () => {
  it("fills defaults", () => {
    expect(httpRequestNode.config.parse({ url: "https://api.example.com/v1" })).toMatchObject({
      method: "GET",
      headers: {},
      query: {},
      body: { type: "none" },
      authentication: "none",
      timeoutMs: 30_000,
      maxResponseBytes: 10 * 1024 * 1024,
      followRedirects: true,
      responseFormat: "auto",
      failOnHttpError: true,
      sendIdempotencyKey: false,
    });
  });

  it.each([
    [{ url: "file:///etc/passwd" }, /config\.url/],
    [{ url: "not a url" }, /config\.url/],
    [
      { url: "https://a.example", method: "GET", body: { type: "text", text: "x" } },
      /config\.body: a GET request cannot have a body/,
    ],
    [
      { url: "https://a.example", authentication: "bearer" },
      /config\.bearerCredential: authentication "bearer" needs a credential/,
    ],
    [{ url: "https://a.example", headers: { "bad header": "x" } }, /config\.headers/],
    [{ url: "https://a.example", timeoutMs: 999_999 }, /config\.timeoutMs/],
  ])("rejects %j", async (config, message) => {
    await expect(runPure(httpRequestNode, config)).rejects.toThrow(message);
  });

  it("declares its credential slots with their types", () => {
    expect(httpRequestNode.credentials).toEqual([
      { key: "bearerCredential", type: "httpBearer", required: false },
      { key: "basicCredential", type: "httpBasic", required: false },
      { key: "headerCredential", type: "httpHeader", required: false },
    ]);
  });

  it("reaches the network only through ctx.http", async () => {
    await expect(runPure(httpRequestNode, { url: "https://a.example/" })).rejects.toThrow(
      /http is not available to a pure node/,
    );
  });

  it("has a config form schema", () => {
    const schema = z.toJSONSchema(httpRequestNode.config, { io: "input", unrepresentable: "any" });
    expect(schema).toMatchObject({ type: "object", required: ["url"] });
  });
});
