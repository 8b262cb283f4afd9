/** Regenerates docs/flow.schema.json: `pnpm --filter @runnel/engine exec tsx src/flow/write-schema.ts` (then `pnpm format`). */
import { writeFileSync } from "node:fs";

import { FLOW_SCHEMA_FILE, flowSchemaText } from "./schema-file";

writeFileSync(FLOW_SCHEMA_FILE, flowSchemaText());
console.log(`wrote ${FLOW_SCHEMA_FILE.pathname}`);
