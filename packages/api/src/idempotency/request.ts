import { createHash } from "node:crypto";

/** Longest idempotency key, characters (Stripe's limit is 255; ours has always been 200). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** How long a key is remembered (docs/rest.md, "Idempotency"): a reuse after that starts a new run. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

/** Why a key is not usable, or undefined when it is (1–200 characters, no control characters). */
export function idempotencyKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) return "must not contain control characters";
  return undefined;
}

/** JSON with object keys sorted at every depth, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Hex SHA-256 of a JSON value in canonical form: what a key remembers of the request that first used it. */
export function fingerprintJson(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/** Hex SHA-256 of a raw request: its parts separated so that no two different requests run together. */
export function fingerprintRaw(parts: readonly (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    const bytes = typeof part === "string" ? Buffer.from(part) : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest("hex");
}
