/** How a JSON value shows in the editor: strings as they are (so `{{ … }}` reads naturally), the rest as JSON. */
export function jsonText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/**
 * Reads the editor's text: JSON when it parses, a plain string otherwise, except that text starting like an
 * object or list must parse (a half-typed `{"a":` is an error, not a string).
 */
export function parseJsonText(text: string): { value: unknown } | { error: string } {
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    if (/^\s*[[{]/.test(text) && !/^\s*\{\{/.test(text)) {
      return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    return { value: text };
  }
}
