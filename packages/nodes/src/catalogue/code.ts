import { z } from "zod";

import type { NodeContext, SandboxLogLine } from "../context";
import { defineNode } from "../define";

const MAX_TIMEOUT_MS = 30_000;
const MAX_MEMORY_MB = 256;

const LOG_LEVELS = { log: "info", info: "info", warn: "warn", error: "error" } as const;

function isLogLine(value: unknown): value is SandboxLogLine {
  return (
    typeof value === "object" &&
    value !== null &&
    "level" in value &&
    "message" in value &&
    typeof value.message === "string" &&
    typeof value.level === "string" &&
    Object.hasOwn(LOG_LEVELS, value.level)
  );
}

function forwardLogs(ctx: NodeContext, logs: readonly SandboxLogLine[]): void {
  for (const line of logs) ctx.log.log(LOG_LEVELS[line.level], line.message, { source: "console" });
}

/**
 * Runs JavaScript in the engine's WebAssembly sandbox (QuickJS): the code is the body of an async
 * function receiving `input` (the node's input, or null); its return value, which must be JSON, is
 * the output. `console.*` lines go to the run log. No network, files, timers or host objects.
 */
export const codeNode = defineNode({
  type: "code",
  version: 1,
  kind: "action",
  ui: {
    label: "Code",
    category: "data",
    icon: "code",
    description:
      "Transform data with JavaScript in a sandbox (time and memory limits, JSON in and out).",
  },
  config: z.object({
    code: z
      .string()
      .min(1, "write some code, e.g. return { total: input.items.length };")
      .max(100_000)
      .describe("Body of an async function receiving `input`; return a JSON value"),
    timeoutMs: z.number().int().min(10).max(MAX_TIMEOUT_MS).default(1_000),
    memoryMb: z.number().int().min(1).max(MAX_MEMORY_MB).default(64),
  }),
  literalConfig: ["code"],
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: { out: { type: "any", label: "Result" } },
  async execute({ config, inputs, ctx }) {
    try {
      const { result, logs } = await ctx.sandbox.run({
        code: config.code,
        input: inputs.in ?? null,
        timeoutMs: config.timeoutMs,
        memoryLimitBytes: config.memoryMb * 1024 * 1024,
      });
      forwardLogs(ctx, logs);
      return { kind: "emit", port: "out", value: result };
    } catch (error) {
      // A failed run still shows what the code printed before it failed.
      if (error instanceof Error && "logs" in error && Array.isArray(error.logs)) {
        forwardLogs(ctx, error.logs.filter(isLogLine));
      }
      throw error;
    }
  },
});
