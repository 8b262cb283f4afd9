import type { Database } from "@runnel/db";

/** A transaction handle, usable wherever the database is. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Transaction;

/** Postgres unique_violation, whichever driver raised it. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error || isObject(current);) {
    if (isObject(current) && current.code === "23505") return true;
    current = isObject(current) ? current.cause : undefined;
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
