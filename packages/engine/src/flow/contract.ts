import type { JsonSchema } from "@runnel/nodes";
import { apiTrigger, manualTrigger } from "@runnel/nodes";

import type { FlowDefinition as FlowDefinitionType } from "./definition";
import { FlowDefinition } from "./definition";

/** What a flow takes and returns when something other than its editor starts it (REST, agents, MCP). */
export interface FlowContract {
  /** The trigger node such runs start at (an API trigger, else a manual trigger); null when there is none. */
  triggerNodeId: string | null;
  inputSchema: JsonSchema;
  /** The API trigger's declared output schema; null when the flow declares none. */
  outputSchema: JsonSchema | null;
}

/** The contract of a stored definition: the API trigger's schemas, else the manual trigger's input schema. */
export function flowContract(stored: unknown): FlowContract {
  const parsed = FlowDefinition.safeParse(stored);
  const nodes: FlowDefinitionType["nodes"] = parsed.success ? parsed.data.nodes : [];
  const api = nodes.find((node) => node.type === apiTrigger.type);
  if (api) {
    const config = apiTrigger.config.safeParse(api.config);
    if (config.success) {
      const output = config.data.outputSchema;
      return {
        triggerNodeId: api.id,
        inputSchema: config.data.inputSchema,
        outputSchema: Object.keys(output).length > 0 ? output : null,
      };
    }
  }
  const manual = nodes.find((node) => node.type === manualTrigger.type);
  if (manual) {
    const config = manualTrigger.config.safeParse(manual.config);
    if (config.success) {
      return { triggerNodeId: manual.id, inputSchema: config.data.inputSchema, outputSchema: null };
    }
  }
  return { triggerNodeId: null, inputSchema: { type: "object" }, outputSchema: null };
}
