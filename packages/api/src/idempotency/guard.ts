import type { Database } from "@runnel/db";
import type { Run, StartedRun } from "@runnel/engine";

import type { KeyClaimRequest } from "./claim";
import { claimIdempotencyKey, deleteExpiredIdempotencyKeys } from "./claim";

/** How often a process deletes keys whose time is up (on a fresh claim, at most this often). */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const lastSweep = new WeakMap<Database, number>();

export interface GuardedStart {
  run: Run;
  /** True when this request created the run. */
  created: boolean;
  /** True when the key named a run an earlier request started: answer with `Idempotent-Replayed: true`. */
  replayed: boolean;
}

/**
 * The idempotency request guard of every run start (REST, webhooks, tRPC `runs.start`; docs/rest.md,
 * "Idempotency"). Without a key it just starts. With one it claims the key (a different request under a remembered
 * key throws IdempotencyKeyReusedError), then starts with the run idempotency key of the claim: every request of
 * one claim, concurrent ones included, gets the one run; a reuse after the key expired makes a new claim and a new run.
 */
export async function startIdempotently(
  db: Database,
  request: KeyClaimRequest | undefined,
  start: (runIdempotencyKey: string | undefined) => Promise<StartedRun>,
): Promise<GuardedStart> {
  if (!request) {
    const { run, created } = await start(undefined);
    return { run, created, replayed: false };
  }
  const claim = await claimIdempotencyKey(db, request);
  if (claim.fresh) await sweepNow(db);
  const { run, created } = await start(`${request.scope}:${claim.claimId}`);
  return { run, created, replayed: !created };
}

async function sweepNow(db: Database): Promise<void> {
  const now = Date.now();
  if (now - (lastSweep.get(db) ?? 0) < SWEEP_INTERVAL_MS) return;
  lastSweep.set(db, now);
  await deleteExpiredIdempotencyKeys(db);
}
