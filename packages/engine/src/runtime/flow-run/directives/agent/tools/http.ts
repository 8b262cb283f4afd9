import type { HttpTool, JsonValue } from "@runnel/nodes";

import type { ToolKind } from "./types";
import { messageOf } from "./types";

/** Bodies read from the target at most (before the cut to `maxResultChars` for the model). */
const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const PLACEHOLDER = /\{([a-zA-Z0-9_-]+)\}/g;
const QUERY_METHODS = new Set(["GET", "HEAD", "DELETE"]);

function text(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? null);
}

/** Fills `{name}` placeholders from the arguments; returns the text and the names it used. */
function fill(
  template: string,
  args: Record<string, JsonValue>,
  encode: (value: string) => string,
): { filled: string; used: Set<string> } {
  const used = new Set<string>();
  const filled = template.replace(PLACEHOLDER, (whole: string, name: string) => {
    if (!Object.hasOwn(args, name)) return whole;
    used.add(name);
    return encode(text(args[name]));
  });
  return { filled, used };
}

function cut(body: string, max: number): string {
  return body.length > max
    ? `${body.slice(0, max)}\n[cut: the response has ${body.length} characters, ${max} are shown]`
    : body;
}

/**
 * An HTTP request through the SSRF-safe fetch (DESIGN §7). URL placeholders take URL-encoded arguments; the others
 * go in the query (GET, HEAD, DELETE) or the JSON body. The model gets `{ status, body }` (JSON when the body parses,
 * else text, cut to `maxResultChars`); a status of 400 or more is an error it sees with the body.
 */
export const httpTool: ToolKind<HttpTool> = {
  prepare(_context, tool) {
    return Promise.resolve({
      declaration: {
        name: tool.name,
        description: tool.description ?? `HTTP ${tool.method} ${tool.url}`,
        parameters: tool.parameters,
      },
      tool,
    });
  },

  run(context, _node, { tool }, call) {
    return context.steps.run(call.stepId, async () => {
      await context.store.flush();
      const began = performance.now();
      const latency = () => Math.round(performance.now() - began);
      const url = fill(tool.url, call.arguments, encodeURIComponent);
      const used = new Set(url.used);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(tool.headers)) {
        const header = fill(value, call.arguments, (v) => v);
        header.used.forEach((n) => used.add(n));
        headers[name] = header.filled;
      }
      const rest = Object.fromEntries(
        Object.entries(call.arguments).filter(([name]) => !used.has(name)),
      );
      let target: URL;
      try {
        target = new URL(url.filled);
      } catch {
        return {
          error: `the tool's URL is not valid after filling in the arguments`,
          latencyMs: 0,
        };
      }
      let body: string | undefined;
      if (QUERY_METHODS.has(tool.method))
        for (const [name, value] of Object.entries(rest))
          target.searchParams.set(name, text(value));
      else if (Object.keys(rest).length > 0) {
        body = JSON.stringify(rest);
        headers["content-type"] ??= "application/json";
      }
      try {
        const response = await context.resources.services.http.fetch({
          url: target.toString(),
          method: tool.method,
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: tool.timeoutMs,
          maxResponseBytes: MAX_RESPONSE_BYTES,
        });
        const raw = response.text();
        let parsed: JsonValue | undefined;
        if (raw.length <= tool.maxResultChars) {
          try {
            parsed = JSON.parse(raw) as JsonValue;
          } catch {
            parsed = undefined;
          }
        }
        const shown = parsed ?? cut(raw, tool.maxResultChars);
        if (response.status >= 400)
          return {
            error: `HTTP ${response.status}: ${cut(raw, Math.min(tool.maxResultChars, 2000))}`,
            latencyMs: latency(),
          };
        return { result: { status: response.status, body: shown }, latencyMs: latency() };
      } catch (error) {
        return { error: messageOf(error), latencyMs: latency() };
      }
    });
  },
};
