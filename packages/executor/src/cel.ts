import { Environment } from "@marcbachmann/cel-js";

/**
 * CEL as Inngest uses it: trigger `if` and idempotency/concurrency keys see `event`; waitForEvent and
 * cancelOn `if` see `event` (the run's triggering event) and `async` (the incoming event).
 */
const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

type Compiled = (context: Record<string, unknown>) => unknown;
const cache = new Map<string, Compiled>();

function compile(expression: string): Compiled {
  let compiled = cache.get(expression);
  if (!compiled) {
    const parsed = env.parse(expression);
    compiled = (context) => parsed(context) as unknown;
    if (cache.size > 1000) cache.clear();
    cache.set(expression, compiled);
  }
  return compiled;
}

/** Throws a readable error when the expression does not parse. */
export function checkExpression(expression: string, where: string): void {
  try {
    compile(expression);
  } catch (error) {
    throw new Error(
      `${where}: invalid CEL expression ${JSON.stringify(expression)}: ${(error as Error).message}`,
    );
  }
}

/** True when the expression holds. A missing field or a type error counts as "does not match". */
export function matches(
  expression: string | null | undefined,
  context: Record<string, unknown>,
): boolean {
  if (!expression) return true;
  try {
    return compile(expression)(context) === true;
  } catch {
    return false;
  }
}

/** Evaluates a key expression (concurrency, idempotency) to a string; undefined when it cannot be evaluated. */
export function evaluateKey(
  expression: string,
  context: Record<string, unknown>,
): string | undefined {
  try {
    const value = compile(expression)(context);
    if (value === null || value === undefined) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean")
      return String(value);
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return undefined;
  }
}
