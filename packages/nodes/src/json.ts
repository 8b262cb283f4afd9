import type { JsonValue } from "./context";

/** True when `value` is plain JSON data: no functions, symbols, class instances, NaN or cycles. */
export function isJsonValue(value: unknown): value is JsonValue {
  return checkJson(value, new Set());
}

function checkJson(value: unknown, seen: Set<object>): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (seen.has(value)) return false;
      seen.add(value);
      let ok: boolean;
      if (Array.isArray(value)) {
        ok = value.every((item) => checkJson(item, seen));
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        ok =
          (proto === Object.prototype || proto === null) &&
          Object.values(value).every((item) => checkJson(item, seen));
      }
      seen.delete(value);
      return ok;
    }
    default:
      return false;
  }
}
