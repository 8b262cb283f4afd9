import { z } from "zod";

import { PageDirection } from "../paging";

export const ListFlowsInput = z
  .strictObject({
    /** Case-insensitive substring of the flow name. */
    search: z.string().trim().max(200, "Search must be at most 200 characters").optional(),
    /** `nextCursor` of the previous page. */
    cursor: z.string().min(1).max(100).optional(),
    /** Added by tRPC's infinite queries; only "forward" is accepted (see PageDirection). */
    direction: PageDirection,
    limit: z.number().int().min(1).max(100).default(25),
  })
  .default({ limit: 25 });
export type ListFlowsInput = z.output<typeof ListFlowsInput>;
