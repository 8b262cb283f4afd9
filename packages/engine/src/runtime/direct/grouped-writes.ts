import type { Database } from "@runnel/db";

import type { RunEvent } from "../../runs/event-types";
import type { PureStepWrite, Written } from "../../runs/store";
import type { RunFlowResources } from "../flow-run/resources";
import type { RunWrites } from "../flow-run/run-writes";
import type { JournalEntry } from "./journal";
import { markRunStatus, recordPureSteps, TERMINAL_RUN_STATUSES } from "../../runs/store";
import { writeJournal } from "./journal";

/** A held pure step write, and when it was held (performance.now()). */
type HeldWrite = { write: PureStepWrite; heldAt: number };

/**
 * A transaction handle whose own `transaction` joins it: the run store's functions open a transaction each, and
 * inside a group they all become part of the group's one transaction (no savepoints).
 */
function joined(tx: Database): Database {
  const flat: Database = Object.create(tx, {
    transaction: { value: <T>(work: (inner: Database) => Promise<T>) => work(flat) },
  }) as Database;
  return flat;
}

/**
 * Group commit for one direct run (docs/executor.md, Direct runs): the outcomes of pure nodes, their journal rows
 * and the run's next status change are held and committed in one transaction when the run reaches a barrier — a
 * node with effects about to start, a Respond answer, a wait, the end of the run, or any other write (which then
 * commits after them, in order). The events they appended are published after the commit.
 */
export function groupedWrites(resources: RunFlowResources) {
  const { store, db, bus, limits } = resources;
  let held: HeldWrite[] = [];
  /** The org of the run whose writes are held (one run per group). */
  let heldOrg = "";
  const orgIdOf = (writes: readonly HeldWrite[]) => (writes.length > 0 ? heldOrg : "");
  let journal: JournalEntry[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  /** The run's terminal status has committed: nothing replays it, so no journal row is written any more. */
  let ended = false;
  /** Journal rows of this run were committed here (its end deletes them). */
  let journalled = false;

  /**
   * Commits the held writes, with `last` in the same transaction; serialised per run. The held journal rows go with
   * them only when `journalToo` (the run halts: it will be resumed from its journal); otherwise they stay held — a
   * process killed before they commit replays those pure steps, which is harmless — and a run that ends without
   * halting never writes them.
   */
  function commit<T extends Written>(last?: (tx: Database) => Promise<T>, journalToo = false) {
    const run = chain.then(async (): Promise<T | undefined> => {
      const writes = held;
      const rows = journalToo ? journal : [];
      held = [];
      journal = journalToo ? [] : journal;
      if (writes.length === 0 && rows.length === 0 && !last) return undefined;
      const events: RunEvent[] = [];
      let result: T | undefined;
      try {
        const began = performance.now();
        result = await db.transaction(async (tx) => {
          const group = joined(tx);
          // A start time is taken back from the transaction's now(), so it counts the time it was held too.
          const pure = writes.map(({ write, heldAt }): PureStepWrite =>
            write.kind === "run"
              ? {
                  ...write,
                  start: {
                    ...write.start,
                    startedMsAgo: write.start.startedMsAgo + (began - heldAt),
                  },
                }
              : write,
          );
          events.push(...(await recordPureSteps(group, orgIdOf(writes), pure, limits)).events);
          const value = last ? await last(group) : undefined;
          if (value) events.push(...value.events);
          await writeJournal(group, rows);
          return value;
        });
      } catch (error) {
        // Nothing of the group committed: hold it again for the next commit (every write is an upsert).
        held = [...writes, ...held];
        journal = [...rows, ...journal];
        throw error;
      }
      if (rows.length > 0) journalled = true;
      if (bus && events.length > 0) await bus.publish(events);
      return result;
    });
    chain = run.catch(() => undefined);
    return run;
  }

  const flush = async () => {
    await commit();
  };
  /** Commits the held writes and journal rows: the run halts here (parks, stops, is cancelled). */
  const flushForHalt = async () => {
    await commit(undefined, true);
  };
  const afterFlush =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await flush();
      return write(...args);
    };

  const writes: RunWrites = {
    ...store,
    recordStepStart: afterFlush(store.recordStepStart),
    recordStepFinish: afterFlush(store.recordStepFinish),
    recordStepRun: afterFlush(store.recordStepRun),
    upsertStep: afterFlush(store.upsertStep),
    appendRunEvent: afterFlush(store.appendRunEvent),
    createApproval: afterFlush(store.createApproval),
    decideApproval: afterFlush(store.decideApproval),
    expireApproval: afterFlush(store.expireApproval),
    createRun: afterFlush(store.createRun),
    markRunStatus: async (orgId, runId, status, details) => {
      const ending = TERMINAL_RUN_STATUSES.has(status);
      const change =
        held.length === 0
          ? await chain.then(() => store.markRunStatus(orgId, runId, status, details))
          : await commit((tx) => markRunStatus(tx, orgId, runId, status, details, limits));
      if (!change) throw new Error(`markRunStatus of run ${runId} returned nothing`);
      // Once the run's end has committed nothing replays it: its held journal rows are of no use.
      if (ending) {
        ended = true;
        journal = [];
      }
      return change;
    },
    pureStepRun: (orgId, start, finish) => {
      heldOrg = orgId;
      held.push({ write: { kind: "run", start, finish }, heldAt: performance.now() });
      return Promise.resolve();
    },
    skipStep: (orgId, runId, nodeId) => {
      heldOrg = orgId;
      held.push({ write: { kind: "skip", runId, nodeId }, heldAt: performance.now() });
      return Promise.resolve();
    },
    flush,
  };
  return {
    writes,
    flushForHalt,
    /**
     * Holds a pure step's journal row until the run halts (flushForHalt), or never writes it when the run ends
     * first. A process killed before it commits replays the step: pure steps repeat harmlessly, and what they
     * started (an approval, child runs) is found again by its key.
     */
    holdJournal(entry: JournalEntry): void {
      journal.push(entry);
    },
    get ended(): boolean {
      return ended;
    },
    get journalled(): boolean {
      return journalled;
    },
  };
}

export type GroupedWrites = ReturnType<typeof groupedWrites>;
