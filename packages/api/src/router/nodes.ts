import type { TRPCRouterRecord } from "@trpc/server";

import type { CatalogueEntry } from "@runnel/nodes";
import { catalogueEntries } from "@runnel/nodes";

import { protectedProcedure } from "../trpc";

let entries: CatalogueEntry[] | undefined;

export const nodesRouter = {
  /**
   * Every node type: type, version, kind, UI metadata (label, category, icon, description), ports and the config
   * JSON Schema the editor builds its forms from. The same for every org.
   */
  catalogue: protectedProcedure.query(() => (entries ??= catalogueEntries())),
} satisfies TRPCRouterRecord;
