import { z } from "zod";

import { fieldUi } from "../define";
import { JsonSchemaDocument } from "./shared";

/** Tool names as the providers accept them (OpenAI's function-name rule, the strictest of the four). */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "not a valid HTTP header name");

const ObjectSchema = JsonSchemaDocument.refine((schema) => schema.type === "object", {
  message: 'tool parameters must describe an object ("type": "object")',
});

const toolFields = {
  name: z
    .string()
    .regex(TOOL_NAME_PATTERN, "letters, digits, _ and - only, at most 64 characters")
    .describe("The name the model calls the tool by"),
  description: z.string().max(2000).optional().describe("Tells the model when and how to use it"),
  requireApproval: z
    .boolean()
    .default(false)
    .describe("Stop before each call until a person approves, rejects or edits its arguments"),
};

/** A published flow of the org as a tool: its input schema is the tool's parameters, its output the result. */
export const FlowTool = z.object({
  kind: z.literal("flow"),
  ...toolFields,
  flowId: z.string().min(1).describe("A published flow of this org"),
  timeoutMs: z.number().int().positive().optional().describe("Fail the call after this long"),
});
export type FlowTool = z.infer<typeof FlowTool>;

/**
 * An HTTP request. `{name}` placeholders in the URL and header values are filled from the model's arguments
 * (URL-encoded in the URL); the remaining arguments go in the query (GET, HEAD, DELETE) or as the JSON body.
 */
export const HttpTool = z.object({
  kind: z.literal("http"),
  ...toolFields,
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
  url: z
    .string()
    .regex(/^https?:\/\//, "an absolute http(s) URL")
    .describe("URL template, e.g. https://api.example.com/orders/{orderId}"),
  headers: z.record(HeaderName, z.string()).default({}),
  parameters: ObjectSchema.default({ type: "object" }).describe(
    "JSON Schema of the arguments the model passes",
  ),
  maxResultChars: z
    .number()
    .int()
    .min(100)
    .max(200_000)
    .default(20_000)
    .describe("Longer response bodies are cut before they go back to the model"),
  timeoutMs: z.number().int().min(1).max(300_000).default(30_000),
});
export type HttpTool = z.infer<typeof HttpTool>;

/** JavaScript in the Code sandbox: the body of an async function receiving the arguments as `input`. */
export const CodeTool = z.object({
  kind: z.literal("code"),
  ...toolFields,
  code: z.string().min(1).max(100_000),
  parameters: ObjectSchema.default({ type: "object" }),
  timeoutMs: z.number().int().min(1).max(60_000).default(5_000),
});
export type CodeTool = z.infer<typeof CodeTool>;

/**
 * A tool of a remote MCP server (Streamable HTTP or SSE; never stdio). Its description and parameters come from
 * the server's tools/list when the agent starts; each call is one durable step calling tools/call (docs/mcp.md).
 */
export const McpTool = z.object({
  kind: z.literal("mcp"),
  ...toolFields,
  server: z.strictObject({
    url: z.string().regex(/^https?:\/\//, "an absolute http(s) URL of the MCP endpoint"),
    transport: z.enum(["streamable-http", "sse"]).optional(),
    credentialId: z
      .string()
      .min(1)
      .optional()
      .describe("An mcp, httpBearer or httpHeader credential"),
  }),
  tool: z
    .string()
    .min(1)
    .optional()
    .describe("The tool's name on the server, when it differs from the name the model sees")
    .meta(fieldUi({ options: "mcpTools", dependsOn: "server" })),
  timeoutMs: z.number().int().min(1).max(300_000).default(60_000),
});
export type McpTool = z.infer<typeof McpTool>;

/** One tool of an Agent node; `kind` picks the registry entry that runs it (docs/ai.md, Agents). */
export const AgentTool = z.discriminatedUnion("kind", [FlowTool, HttpTool, CodeTool, McpTool]);
export type AgentTool = z.infer<typeof AgentTool>;
export type AgentToolKind = AgentTool["kind"];

/** The tools list: names unique within the node. */
export const AgentTools = z
  .array(AgentTool)
  .max(64)
  .superRefine((tools, ctx) => {
    const seen = new Map<string, number>();
    tools.forEach((tool, index) => {
      const earlier = seen.get(tool.name);
      if (earlier !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `tool name "${tool.name}" is already used by tool ${earlier}`,
        });
      else seen.set(tool.name, index);
    });
  });
