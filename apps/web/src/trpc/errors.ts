/** Field errors keyed by input path ("email", "data.apiKey"), as the API's zod error formatter sends them. */
export type FieldErrors = Record<string, string[] | undefined>;

interface ErrorShape {
  message?: unknown;
  data?: { code?: unknown; zodError?: { fieldErrors?: unknown } | null } | null;
}

/** True for a tRPC UNAUTHORIZED error: the session ended (or was never there). */
export function isUnauthorized(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as ErrorShape).data?.code === "UNAUTHORIZED"
  );
}

/** Reads `error.data.zodError.fieldErrors` from a tRPC client error (empty when there is none). */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (typeof error !== "object" || error === null) return {};
  const fields = (error as ErrorShape).data?.zodError?.fieldErrors;
  if (typeof fields !== "object" || fields === null) return {};
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === "string");
  }
  return out;
}

/** A message for the form as a whole: the error's message unless field errors already explain it. */
export function formErrorOf(error: unknown): string | null {
  if (!error) return null;
  if (Object.keys(fieldErrorsOf(error)).length > 0) return null;
  const message = (error as ErrorShape).message;
  return typeof message === "string" && message
    ? message
    : "Something went wrong. Please try again.";
}
