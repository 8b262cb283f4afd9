import type { TRPCRouterRecord } from "@trpc/server";

import { orgProcedure } from "../../trpc";
import { createFlow, duplicateFlow } from "./create.handler";
import { CreateFlowInput, DuplicateFlowInput } from "./create.schema";
import { deleteFlow } from "./delete.handler";
import { diffFlow } from "./diff.handler";
import { saveDraft, validateFlow } from "./draft.handler";
import { SaveDraftInput, ValidateFlowInput } from "./draft.schema";
import { getFlow } from "./get.handler";
import { listFlows } from "./list.handler";
import { ListFlowsInput } from "./list.schema";
import { getVersion, listVersions, publishFlow } from "./publish.handler";
import { DiffInput, PublishFlowInput, VersionInput } from "./publish.schema";
import { FlowIdInput, serviceCtx } from "./shared";
import { exportFlow, importFlow } from "./transfer.handler";
import { ExportFlowInput, ImportFlowInput } from "./transfer.schema";

/** Flows: viewers read, editors write. Every id is looked up in the active org only (foreign → NOT_FOUND). */
export const flowsRouter = {
  list: orgProcedure("viewer")
    .input(ListFlowsInput)
    .query(({ ctx, input }) => listFlows(serviceCtx(ctx), input)),
  get: orgProcedure("viewer")
    .input(FlowIdInput)
    .query(({ ctx, input }) => getFlow(serviceCtx(ctx), input.id)),
  create: orgProcedure("editor")
    .input(CreateFlowInput)
    .mutation(({ ctx, input }) => createFlow(serviceCtx(ctx), input)),
  saveDraft: orgProcedure("editor")
    .input(SaveDraftInput)
    .mutation(({ ctx, input }) => saveDraft(serviceCtx(ctx), input)),
  validate: orgProcedure("viewer")
    .input(ValidateFlowInput)
    .query(({ ctx, input }) => validateFlow(serviceCtx(ctx), input)),
  publish: orgProcedure("editor")
    .input(PublishFlowInput)
    .mutation(({ ctx, input }) => publishFlow(serviceCtx(ctx), input)),
  versions: orgProcedure("viewer")
    .input(FlowIdInput)
    .query(({ ctx, input }) => listVersions(serviceCtx(ctx), input.id)),
  version: orgProcedure("viewer")
    .input(VersionInput)
    .query(({ ctx, input }) => getVersion(serviceCtx(ctx), input)),
  diff: orgProcedure("viewer")
    .input(DiffInput)
    .query(({ ctx, input }) => diffFlow(serviceCtx(ctx), input)),
  duplicate: orgProcedure("editor")
    .input(DuplicateFlowInput)
    .mutation(({ ctx, input }) => duplicateFlow(serviceCtx(ctx), input)),
  delete: orgProcedure("editor")
    .input(FlowIdInput)
    .mutation(({ ctx, input }) => deleteFlow(serviceCtx(ctx), input.id)),
  export: orgProcedure("viewer")
    .input(ExportFlowInput)
    .query(({ ctx, input }) => exportFlow(serviceCtx(ctx), input)),
  import: orgProcedure("editor")
    .input(ImportFlowInput)
    .mutation(({ ctx, input }) => importFlow(serviceCtx(ctx), input)),
} satisfies TRPCRouterRecord;
