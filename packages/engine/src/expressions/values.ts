import type { JsonValue } from "@runnel/nodes";

import { ExpressionError } from "./cel";

/**
 * Data crossing into and out of CEL. In: JSON becomes CEL values (safe integers become int, other
 * numbers double) and every object becomes a `Map`, so keys such as `constructor`, `__proto__` and
 * `prototype` are ordinary entries: CEL tells a plain object's type by its `constructor` property, which
 * a data key of that name would replace (docs/expressions.md, "Data is data"). Out: CEL values become JSON
 * (int → number, timestamp → ISO string, map → object); bytes, durations and types are refused.
 */
export function toCel(value: JsonValue): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  return celMap(value, toCel);
}

/** A CEL map of an object's own enumerable entries (undefined values left out), each converted by `convert`. */
export function celMap<T>(
  record: Readonly<Record<string, T | undefined>>,
  convert: (value: T) => unknown,
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item !== undefined) out.set(key, convert(item));
  }
  return out;
}

export function fromCel(expression: string, value: unknown): JsonValue {
  return convert(expression, value, 0);
}

const MAX_DEPTH = 100;

function convert(expression: string, value: unknown, depth: number): JsonValue {
  if (depth > MAX_DEPTH) throw new ExpressionError(expression, "result is nested too deeply");
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value))
        throw new ExpressionError(expression, `result ${String(value)} is not a JSON number`);
      return value;
    case "bigint": {
      const number = Number(value);
      if (!Number.isSafeInteger(number))
        throw new ExpressionError(expression, `integer ${value} is outside the JSON safe range`);
      return number;
    }
    case "object":
      break;
    default:
      throw new ExpressionError(expression, `a ${typeof value} cannot be a result`);
  }
  if (Array.isArray(value))
    return value.map((item: unknown) => convert(expression, item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) {
    const out: Record<string, JsonValue> = {};
    const entries: Iterable<[unknown, unknown]> = value.entries();
    for (const [key, item] of entries)
      defineOwn(out, String(key), convert(expression, item, depth + 1));
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = value instanceof Uint8Array ? "bytes" : describeKind(value);
    throw new ExpressionError(
      expression,
      `a ${name} value cannot be turned into JSON (convert it with string(…))`,
    );
  }
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    const item: unknown = Reflect.get(value, key);
    defineOwn(out, key, convert(expression, item, depth + 1));
  }
  return out;
}

function describeKind(value: object): string {
  const ctor: unknown = Reflect.get(value, "constructor");
  return typeof ctor === "function" && typeof ctor.name === "string" && ctor.name !== ""
    ? ctor.name
    : "non-JSON";
}

/** Sets an own data property even for keys like `__proto__` (plain assignment would change the prototype). */
function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
