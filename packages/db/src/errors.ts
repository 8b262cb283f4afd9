/**
 * Postgres error inspection that works on every driver. drizzle wraps a failed query in a DrizzleQueryError
 * whose `cause` is the driver's error; node-postgres, Neon and PGlite all carry the SQLSTATE in `code`.
 */

export interface PgErrorInfo {
  /** SQLSTATE, e.g. "23505" for a unique violation. */
  code: string;
  /** Name of the violated constraint, when the server reports one. */
  constraint?: string;
}

/** The Postgres error inside `error` (following `cause`), or undefined when it is not a database error. */
export function pgError(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code: unknown = Reflect.get(current, "code");
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
      const constraint: unknown = Reflect.get(current, "constraint");
      return typeof constraint === "string" ? { code, constraint } : { code };
    }
    current = Reflect.get(current, "cause");
  }
  return undefined;
}

/** True when `error` is a unique violation (optionally of the named constraint, e.g. "users_email_unique"). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const info = pgError(error);
  return info?.code === "23505" && (constraint === undefined || info.constraint === constraint);
}
