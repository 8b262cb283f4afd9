import { createHash } from "node:crypto";

import type { Database } from "@runnel/db";
import { and, eq, inArray, sql } from "@runnel/db";
import { runBlobs } from "@runnel/db/schema";

import type { EventValue } from "./event-types";
import { BlobNotFoundError } from "./errors";

/** Values whose JSON is larger than this are stored in run_blobs and referenced by id. */
export const INLINE_VALUE_LIMIT_BYTES = 256 * 1024;
/** Event payloads carry a value up to this size; above it only its size (readers fetch the step or run). */
export const EVENT_VALUE_LIMIT_BYTES = 64 * 1024;

export interface ValueLimits {
  /** Default INLINE_VALUE_LIMIT_BYTES. */
  inlineLimitBytes?: number;
}

/** A JSON value and its serialised form. `undefined` is stored as JSON null. */
export interface MeasuredValue {
  value: unknown;
  json: string;
  bytes: number;
}

export function measureValue(value: unknown): MeasuredValue {
  const json = JSON.stringify(value) ?? "null";
  return {
    value: value === undefined ? null : value,
    json,
    bytes: Buffer.byteLength(json, "utf8"),
  };
}

export function eventValue(measured: MeasuredValue): EventValue {
  return measured.bytes <= EVENT_VALUE_LIMIT_BYTES
    ? { value: measured.value, bytes: measured.bytes }
    : { bytes: measured.bytes };
}

/** How a value sits in a pair of columns: inline JSON, or null plus the id of its blob. */
export interface StoredValue {
  inline: unknown;
  blobId: string | null;
  measured: MeasuredValue;
}

/** Stores a value for a run: inline when small, otherwise as a run_blobs row. Runs inside the caller's transaction. */
export async function storeValue(
  db: Database,
  orgId: string,
  runId: string,
  value: unknown,
  limits: ValueLimits = {},
): Promise<StoredValue> {
  const measured = measureValue(value);
  if (measured.bytes <= (limits.inlineLimitBytes ?? INLINE_VALUE_LIMIT_BYTES)) {
    return { inline: measured.value, blobId: null, measured };
  }
  const [row] = await db
    .insert(runBlobs)
    .values({
      orgId,
      runId,
      bytes: measured.bytes,
      sha256: createHash("sha256").update(measured.json).digest("hex"),
      content: sql`${measured.json}::jsonb`,
    })
    .returning({ id: runBlobs.id });
  if (!row)
    throw new Error(`Storing a ${measured.bytes}-byte value for run ${runId} returned no row`);
  return { inline: null, blobId: row.id, measured };
}

export async function loadBlob(db: Database, orgId: string, blobId: string): Promise<unknown> {
  const [row] = await db
    .select({ content: runBlobs.content })
    .from(runBlobs)
    .where(and(eq(runBlobs.id, blobId), eq(runBlobs.orgId, orgId)));
  if (!row) throw new BlobNotFoundError(blobId);
  return row.content;
}

/** Loads several blobs at once (for a run with many large step outputs). */
export async function loadBlobs(
  db: Database,
  orgId: string,
  blobIds: string[],
): Promise<Map<string, unknown>> {
  const unique = [...new Set(blobIds)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: runBlobs.id, content: runBlobs.content })
    .from(runBlobs)
    .where(and(inArray(runBlobs.id, unique), eq(runBlobs.orgId, orgId)));
  const found = new Map(rows.map((row) => [row.id, row.content]));
  for (const id of unique) if (!found.has(id)) throw new BlobNotFoundError(id);
  return found;
}

/**
 * A reference to a stored value, small enough for an Inngest step result. runFlow returns one from a step whose
 * output is too large to memoise and resolves it where the output is used.
 */
export interface BlobRef {
  $runnelBlob: string;
  bytes: number;
}

export function isBlobRef(value: unknown): value is BlobRef {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    Object.keys(record).length === 2 &&
    typeof record.$runnelBlob === "string" &&
    typeof record.bytes === "number"
  );
}

/** Returns the value itself when small, otherwise stores it and returns a BlobRef. */
export async function offloadValue(
  db: Database,
  orgId: string,
  runId: string,
  value: unknown,
  limits: ValueLimits = {},
): Promise<unknown> {
  const stored = await storeValue(db, orgId, runId, value, limits);
  return stored.blobId
    ? ({ $runnelBlob: stored.blobId, bytes: stored.measured.bytes } satisfies BlobRef)
    : stored.inline;
}

/** The value behind a BlobRef, or the argument unchanged when it is not one. */
export function resolveValue(db: Database, orgId: string, value: unknown): Promise<unknown> {
  return isBlobRef(value) ? loadBlob(db, orgId, value.$runnelBlob) : Promise.resolve(value);
}
