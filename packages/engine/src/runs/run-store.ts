import type { Database } from "@runnel/db";

import type { CreateApprovalInput, DecideApprovalInput, ListApprovalsOptions } from "./approvals";
import type { NewRunEvent, RunEvent } from "./event-types";
import type { ListRunEventsOptions } from "./events";
import type {
  CreateRunInput,
  ListRunsOptions,
  RecordStepFinishInput,
  RecordStepStartInput,
  RunStatusDetails,
  RunStatusTarget,
  UpsertStepInput,
  Written,
} from "./store";
import type { ValueLimits } from "./values";
import {
  createApproval,
  decideApproval,
  expireApproval,
  getApproval,
  listApprovals,
} from "./approvals";
import { appendRunEvent, listRunEvents } from "./events";
import {
  createRun,
  getNodeOutputs,
  getRun,
  getRunWithSteps,
  getStepOutcomes,
  listRuns,
  markRunStatus,
  recordStepFinish,
  recordStepRun,
  recordStepStart,
  upsertStep,
} from "./store";
import { offloadValue, resolveValue } from "./values";

/** Where committed events go to reach live subscribers (an event bus). */
export interface RunEventPublisher {
  publish(events: readonly RunEvent[]): Promise<void>;
}

export interface RunStoreOptions {
  /** The root database (not a transaction): each write commits before its events are published. */
  db: Database;
  bus?: RunEventPublisher;
  limits?: ValueLimits;
}

/**
 * The run store's writes bound to a database and a bus: each call commits, then publishes the events it appended.
 * To combine writes in one transaction of your own, call the plain functions with the transaction and publish
 * their `events` after it commits.
 */
export function createRunStore({ db, bus, limits = {} }: RunStoreOptions) {
  async function published<T extends Written>(write: Promise<T>): Promise<T> {
    const result = await write;
    if (bus && result.events.length > 0) await bus.publish(result.events);
    return result;
  }
  return {
    db,
    createRun: (orgId: string, input: CreateRunInput) =>
      published(createRun(db, orgId, input, limits)),
    markRunStatus: (
      orgId: string,
      runId: string,
      status: RunStatusTarget,
      details?: RunStatusDetails,
    ) => published(markRunStatus(db, orgId, runId, status, details, limits)),
    recordStepStart: (orgId: string, input: RecordStepStartInput) =>
      published(recordStepStart(db, orgId, input, limits)),
    recordStepFinish: (orgId: string, input: RecordStepFinishInput) =>
      published(recordStepFinish(db, orgId, input, limits)),
    recordStepRun: (
      orgId: string,
      start: RecordStepStartInput & { startedMsAgo: number },
      finish: RecordStepFinishInput,
    ) => published(recordStepRun(db, orgId, start, finish, limits)),
    upsertStep: (orgId: string, input: UpsertStepInput) =>
      published(upsertStep(db, orgId, input, limits)),
    appendRunEvent: async (orgId: string, input: NewRunEvent) => {
      const appended = await appendRunEvent(db, orgId, input);
      if (bus && appended.created) await bus.publish([appended.event]);
      return appended;
    },
    createApproval: (orgId: string, input: CreateApprovalInput) =>
      published(createApproval(db, orgId, input)),
    decideApproval: (orgId: string, input: DecideApprovalInput) =>
      published(decideApproval(db, orgId, input)),
    expireApproval: (orgId: string, approvalId: string) =>
      published(expireApproval(db, orgId, approvalId)),
    getRun: (orgId: string, runId: string) => getRun(db, orgId, runId),
    getRunWithSteps: (orgId: string, runId: string) => getRunWithSteps(db, orgId, runId),
    getNodeOutputs: (orgId: string, runId: string) => getNodeOutputs(db, orgId, runId),
    getStepOutcomes: (orgId: string, runId: string) => getStepOutcomes(db, orgId, runId),
    listRuns: (orgId: string, options?: ListRunsOptions) => listRuns(db, orgId, options),
    listRunEvents: (orgId: string, runId: string, options?: ListRunEventsOptions) =>
      listRunEvents(db, orgId, runId, options),
    getApproval: (orgId: string, approvalId: string) => getApproval(db, orgId, approvalId),
    listApprovals: (orgId: string, options?: ListApprovalsOptions) =>
      listApprovals(db, orgId, options),
    offloadValue: (orgId: string, runId: string, value: unknown) =>
      offloadValue(db, orgId, runId, value, limits),
    resolveValue: (orgId: string, value: unknown) => resolveValue(db, orgId, value),
  };
}

export type RunStore = ReturnType<typeof createRunStore>;
