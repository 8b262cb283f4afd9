/** An error as stored on runs and steps and handed back to the SDK. */
export interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  [key: string]: unknown;
}

/** Reads an error the SDK sent (an object, a string, or anything else) into an ErrorShape. */
export function toError(value: unknown, fallback: string): ErrorShape {
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const message =
      typeof obj.message === "string"
        ? obj.message
        : typeof obj.error === "string"
          ? obj.error
          : fallback;
    return { ...obj, name: typeof obj.name === "string" ? obj.name : "Error", message };
  }
  if (typeof value === "string" && value) return { name: "Error", message: value };
  return { name: "Error", message: fallback };
}

export class EventValidationError extends Error {
  override name = "EventValidationError";
}
