import type { CodeTool } from "@runnel/nodes";

import type { ToolKind } from "./types";
import { messageOf } from "./types";

/** JavaScript in the Code sandbox (memory and time limits, no host objects); the arguments are its `input`. */
export const codeTool: ToolKind<CodeTool> = {
  prepare(_context, tool) {
    return Promise.resolve({
      declaration: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
      tool,
    });
  },

  run(context, _node, { tool }, call) {
    return context.steps.run(call.stepId, async () => {
      await context.store.flush();
      const began = performance.now();
      try {
        const { result } = await context.resources.services.sandbox
          .forOrg(context.orgId)
          .run({ code: tool.code, input: call.arguments, timeoutMs: tool.timeoutMs });
        return { result, latencyMs: Math.round(performance.now() - began) };
      } catch (error) {
        return { error: messageOf(error), latencyMs: Math.round(performance.now() - began) };
      }
    });
  },
};
