import { z } from "zod";

import type { HttpResponse, JsonValue, NodeContext } from "../context";
import { defineNode } from "../define";
import { JsonConfigData, JsonData } from "./shared";

const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "not a valid HTTP header name");

const Body = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }),
  z.object({ type: z.literal("json"), json: JsonConfigData.describe("Sent as application/json") }),
  z.object({
    type: z.literal("text"),
    text: z.string(),
    contentType: z.string().min(1).default("text/plain; charset=utf-8"),
  }),
  z.object({
    type: z.literal("form"),
    fields: z.record(z.string(), z.string()).describe("Sent as application/x-www-form-urlencoded"),
  }),
]);

const MAX_TIMEOUT_MS = 300_000;
const MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

const HttpRequestConfig = z
  .object({
    method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
    url: z.url({ protocol: /^https?$/, error: "an absolute http(s) URL" }).describe("Request URL"),
    headers: z.record(HeaderName, z.string()).default({}).describe("Request headers"),
    query: z
      .record(z.string(), z.string())
      .default({})
      .describe("Query parameters appended to the URL"),
    body: Body.default({ type: "none" }),
    authentication: z.enum(["none", "bearer", "basic", "header"]).default("none"),
    bearerCredential: z
      .string()
      .min(1)
      .optional()
      .describe("httpBearer credential (authentication = bearer)"),
    basicCredential: z
      .string()
      .min(1)
      .optional()
      .describe("httpBasic credential (authentication = basic)"),
    headerCredential: z
      .string()
      .min(1)
      .optional()
      .describe("httpHeader credential (authentication = header)"),
    timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).default(30_000),
    maxResponseBytes: z
      .number()
      .int()
      .min(1)
      .max(MAX_RESPONSE_BYTES)
      .default(10 * 1024 * 1024),
    followRedirects: z
      .boolean()
      .default(true)
      .describe("Follow up to 5 redirects (each hop is checked again)"),
    responseFormat: z
      .enum(["auto", "json", "text", "base64"])
      .default("auto")
      .describe("auto: JSON when the response says so, text otherwise"),
    failOnHttpError: z.boolean().default(true).describe("Fail the node on a 4xx/5xx status"),
    sendIdempotencyKey: z
      .boolean()
      .default(false)
      .describe("Send an Idempotency-Key header stable across retries of this node in this run"),
  })
  .superRefine((config, ctx) => {
    if ((config.method === "GET" || config.method === "HEAD") && config.body.type !== "none") {
      ctx.addIssue({
        code: "custom",
        path: ["body"],
        message: `a ${config.method} request cannot have a body`,
      });
    }
    const needed = {
      bearer: "bearerCredential",
      basic: "basicCredential",
      header: "headerCredential",
    } as const;
    if (config.authentication !== "none" && config[needed[config.authentication]] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [needed[config.authentication]],
        message: `authentication "${config.authentication}" needs a credential`,
      });
    }
  });

type HttpRequestConfig = z.output<typeof HttpRequestConfig>;

const HttpOutput = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: JsonData,
});

async function authHeaders(
  config: HttpRequestConfig,
  ctx: NodeContext,
): Promise<Record<string, string>> {
  switch (config.authentication) {
    case "none":
      return {};
    case "bearer": {
      const secret = await ctx.credentials.get(config.bearerCredential ?? "", "httpBearer");
      return { authorization: `Bearer ${requireField(secret, "token", config.bearerCredential)}` };
    }
    case "basic": {
      const secret = await ctx.credentials.get(config.basicCredential ?? "", "httpBasic");
      const user = requireField(secret, "username", config.basicCredential);
      const password = requireField(secret, "password", config.basicCredential);
      return {
        authorization: `Basic ${toBase64(new TextEncoder().encode(`${user}:${password}`))}`,
      };
    }
    case "header": {
      const secret = await ctx.credentials.get(config.headerCredential ?? "", "httpHeader");
      return {
        [requireField(secret, "name", config.headerCredential).toLowerCase()]: requireField(
          secret,
          "value",
          config.headerCredential,
        ),
      };
    }
  }
}

/** Base64 of bytes with the web platform's btoa (this file also loads in the browser). */
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

function requireField(
  secret: Record<string, string>,
  field: string,
  credentialId: string | undefined,
): string {
  const value = secret[field];
  if (value === undefined || value === "")
    throw new Error(`Credential ${credentialId ?? "?"} has no ${field}`);
  return value;
}

function encodeBody(body: HttpRequestConfig["body"]): { body?: string; contentType?: string } {
  switch (body.type) {
    case "none":
      return {};
    case "json":
      return { body: JSON.stringify(body.json), contentType: "application/json" };
    case "text":
      return { body: body.text, contentType: body.contentType };
    case "form":
      return {
        body: new URLSearchParams(body.fields).toString(),
        contentType: "application/x-www-form-urlencoded",
      };
  }
}

function decodeBody(
  response: HttpResponse,
  format: HttpRequestConfig["responseFormat"],
  url: string,
): JsonValue {
  if (format === "base64") return toBase64(response.body);
  if (format === "text") return response.text();
  const contentType = response.headers["content-type"] ?? "";
  const looksJson =
    /^application\/([\w.+-]+\+)?json\b/i.test(contentType) ||
    /\bjson\b/i.test(contentType.split(";")[0] ?? "");
  if (format === "json" || looksJson) {
    if (response.body.byteLength === 0) return null;
    try {
      return JSON.parse(response.text()) as JsonValue;
    } catch (error) {
      throw new Error(
        `Response from ${url} (status ${response.status}) is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  return response.text();
}

/**
 * Calls an HTTP endpoint through the engine's SSRF-safe fetch: private, loopback, link-local and
 * metadata addresses are refused unless the operator allow-lists them (docs/nodes-http-code-ai.md).
 */
export const httpRequestNode = defineNode({
  type: "http_request",
  version: 1,
  kind: "action",
  ui: {
    label: "HTTP request",
    category: "integration",
    icon: "globe",
    description:
      "Call a URL (GET, POST, ...) with optional credentials; outputs status, headers and body.",
  },
  config: HttpRequestConfig,
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: { out: { type: "object", label: "Response", schema: HttpOutput } },
  credentials: [
    { key: "bearerCredential", type: "httpBearer", required: false },
    { key: "basicCredential", type: "httpBasic", required: false },
    { key: "headerCredential", type: "httpHeader", required: false },
  ],
  async execute({ config, ctx }) {
    const url = new URL(config.url);
    for (const [name, value] of Object.entries(config.query)) url.searchParams.append(name, value);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
    const encoded = encodeBody(config.body);
    if (encoded.contentType !== undefined && headers["content-type"] === undefined)
      headers["content-type"] = encoded.contentType;
    if (config.sendIdempotencyKey)
      headers["idempotency-key"] = `runnel-${ctx.run.runId}-${ctx.run.nodeId}`;
    Object.assign(headers, await authHeaders(config, ctx));

    const response = await ctx.http.fetch({
      url: url.href,
      method: config.method,
      headers,
      ...(encoded.body === undefined ? {} : { body: encoded.body }),
      timeoutMs: config.timeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      followRedirects: config.followRedirects,
    });
    ctx.log.log("info", `${config.method} ${url.origin}${url.pathname} → ${response.status}`);
    if (config.failOnHttpError && response.status >= 400) {
      const snippet = response.text().slice(0, 500);
      throw new Error(
        `${config.method} ${url.origin}${url.pathname} answered ${response.status}${snippet === "" ? "" : `: ${snippet}`}`,
      );
    }
    const body =
      config.method === "HEAD" ? null : decodeBody(response, config.responseFormat, response.url);
    return {
      kind: "emit",
      port: "out",
      value: { status: response.status, headers: response.headers, body },
    };
  },
});
