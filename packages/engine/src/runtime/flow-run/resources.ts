import type { NodeCatalogue } from "@runnel/nodes";
import { catalogue as builtInCatalogue } from "@runnel/nodes";

import type { RunEventPublisher, RunStore } from "../../runs/run-store";
import type { ValueLimits } from "../../runs/values";
import type { EngineServices } from "../../services/node-context";
import type { RunResponses } from "../run-responses";
import { createRunStore } from "../../runs/run-store";
import { createPlanCache, createVersionCache } from "./plan-cache";

export interface RunFlowResourcesOptions {
  /** Process-wide node services (database, SSRF-safe fetch, sandbox, AI settings). */
  services: EngineServices;
  /** Where committed run events are published for live streams. */
  bus?: RunEventPublisher;
  /** Node types available to flows (default: the built-in catalogue). */
  catalogue?: NodeCatalogue;
  limits?: ValueLimits;
  /**
   * An approval waits for its decision event at most this long before it rereads the approval row, so a decision
   * sent before the wait was registered is still seen. Default 60 000 ms.
   */
  approvalRecheckMs?: number;
  /** Where committed Respond outputs go for a caller waiting in this process (docs/runtime.md, Respond). */
  responses?: RunResponses;
}

/** What every run of one process shares, whichever binding drives it: the run store, node services and caches. */
export function createRunFlowResources(options: RunFlowResourcesOptions) {
  const { services } = options;
  const catalogue = options.catalogue ?? builtInCatalogue;
  const store: RunStore = createRunStore({
    db: services.db,
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return {
    db: services.db,
    services,
    store,
    bus: options.bus,
    limits: options.limits ?? {},
    catalogue,
    approvalRecheckMs: options.approvalRecheckMs ?? 60_000,
    responses: options.responses,
    compile: createPlanCache(catalogue),
    loadVersion: createVersionCache(services.db),
  };
}

export type RunFlowResources = ReturnType<typeof createRunFlowResources>;
