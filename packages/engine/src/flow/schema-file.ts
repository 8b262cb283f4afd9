import { flowJsonSchema } from "./definition";

/** Where the published JSON Schema of flow definitions lives. */
export const FLOW_SCHEMA_FILE = new URL("../../../../docs/flow.schema.json", import.meta.url);

export function flowSchemaText(): string {
  return `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
}
