/** What replaces a secret in a log line. */
export const REDACTED = "[redacted]";

/**
 * Keys whose values never reach a log: credentials, session and auth material, whatever their nesting
 * (`headers.authorization`, `credential.data.apiKey`, `set-cookie`, `x-api-key`, `password`, `clientSecret`, …).
 */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|password|passwd|secret|token|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|private[-_]?key|credentials?|encryption[-_]?key|master[-_]?key|signing[-_]?key|session[-_]?token)$/i;

/** Bearer/Basic credentials written into a message or a URL's user info. */
const SECRET_IN_TEXT = /\b(Bearer|Basic)\s+[\w.~+/=-]+|(?<=\/\/)[^/\s:@]+:[^/\s@]+(?=@)/g;

const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || /(secret|password|token)$/i.test(key);
}

/** Masks credentials inside free text: `Bearer abc` → `Bearer [redacted]`, `//user:pass@` → `//[redacted]@`. */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, (match, scheme: string | undefined) =>
    scheme ? `${scheme} ${REDACTED}` : REDACTED,
  );
}

/** A copy of an error of the same class (so loggers still see an Error), message, stack and fields masked. */
function redactError(error: Error, depth: number): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  const hidden = (value: unknown) => ({
    value,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  Object.defineProperties(copy, {
    message: hidden(redactText(error.message)),
    ...(error.stack ? { stack: hidden(redactText(error.stack)) } : {}),
    ...(error.cause !== undefined ? { cause: hidden(redactSecrets(error.cause, depth + 1)) } : {}),
  });
  for (const [key, inner] of Object.entries(error))
    Reflect.set(copy, key, isSecretKey(key) ? REDACTED : redactSecrets(inner, depth + 1));
  return copy;
}

/**
 * A copy of a log record with every secret-named field replaced and credentials in strings masked. Walks plain
 * objects and arrays up to a fixed depth (deeper values are summarised), so a huge payload cannot stall a log call.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  if (value instanceof Error) return redactError(value, depth);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : redactSecrets(inner, depth + 1);
  }
  return out;
}
