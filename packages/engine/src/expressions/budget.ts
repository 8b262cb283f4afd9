import type { ASTNode } from "@marcbachmann/cel-js";

/**
 * The work budget of one expression evaluation (docs/expressions.md, "Work budget"). The structural
 * limits bound the expression's text, not its data: a macro over a list from a webhook costs the
 * list's length, two nested ones the product. So every evaluation may visit at most
 * {@link MAX_ELEMENTS} elements — each macro (`map`, `filter`, `all`, `exists`…) is charged the size
 * of its list or map before it starts, `in` over a list its length, `+` of lists the result's length —
 * and `+` may build strings of at most {@link MAX_STRING_LENGTH} characters and lists of at most
 * {@link MAX_ELEMENTS} elements (`cel.bind` could otherwise double a value sixty times).
 */
export const MAX_ELEMENTS = 100_000;
export const MAX_STRING_LENGTH = 1_000_000;

export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BudgetExceededError";
  }
}

/** Evaluations are synchronous and never nest, so one counter serves them all. */
let remaining = MAX_ELEMENTS;
let exceeded: BudgetExceededError | undefined;

/** Runs one evaluation under a fresh budget; throws when it was exceeded even if CEL swallowed the error. */
export function withBudget<T>(evaluate: () => T): T {
  remaining = MAX_ELEMENTS;
  exceeded = undefined;
  const result = evaluate();
  // `evaluate` may have set it: TypeScript narrowed it to undefined at the assignment above.
  const failure = exceeded as BudgetExceededError | undefined;
  if (failure !== undefined) throw failure;
  return result;
}

function charge(elements: number, what: string): void {
  remaining -= elements;
  if (remaining >= 0) return;
  exceeded ??= new BudgetExceededError(
    `expression exceeded its work budget of ${MAX_ELEMENTS.toLocaleString("en")} elements per evaluation (at ${what}); filter or slice the data in an earlier node`,
  );
  throw exceeded;
}

type Handle = (...args: unknown[]) => unknown;

/** The evaluation hooks cel-js sets on checked nodes: comprehensions and operators call `handle`. */
interface CheckedNode {
  op: string;
  args: unknown;
  handle?: Handle;
  meta?: { alternate?: unknown };
}

/**
 * Wraps the `handle` of the checked nodes that can do work proportional to data: comprehensions (the
 * expanded form of every macro), `in`, and `+`. Call once, after `check()` and before any evaluation.
 */
export function meterAst(ast: ASTNode, source: string): void {
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value)) return;
    meterNode(value, source);
    visit(value.meta?.alternate);
    const args = value.args;
    if (value.op === "comprehension" && typeof args === "object" && args !== null) {
      for (const part of Object.values(args)) visit(part);
    } else visit(args);
  };
  visit(ast);
}

function isNode(value: object): value is CheckedNode {
  return typeof Reflect.get(value, "op") === "string" && "args" in value;
}

function meterNode(node: CheckedNode, source: string): void {
  const run = node.handle;
  if (run === undefined) return;
  const where = `"${excerpt(source, node)}"`;
  if (node.op === "comprehension") {
    node.handle = (items, ...rest) => {
      charge(sizeOf(items), where);
      return run(items, ...rest);
    };
  } else if (node.op === "in") {
    node.handle = (left, right, ...rest) => {
      if (Array.isArray(right)) charge(right.length, where);
      return run(left, right, ...rest);
    };
  } else if (node.op === "+") {
    node.handle = (...args) => {
      const result = run(...args);
      if (Array.isArray(result)) {
        if (result.length > MAX_ELEMENTS) fail(`a list of ${result.length} elements`, where);
        charge(result.length, where);
      } else if (typeof result === "string" && result.length > MAX_STRING_LENGTH) {
        fail(`a string of ${result.length} characters`, where);
      }
      return result;
    };
  }
}

function fail(built: string, where: string): never {
  exceeded ??= new BudgetExceededError(
    `expression built ${built} at ${where}; + may build strings of at most ${MAX_STRING_LENGTH.toLocaleString("en")} characters and lists of at most ${MAX_ELEMENTS.toLocaleString("en")} elements`,
  );
  throw exceeded;
}

function sizeOf(items: unknown): number {
  if (Array.isArray(items)) return items.length;
  if (items instanceof Map || items instanceof Set) return items.size;
  if (typeof items === "object" && items !== null) return Object.keys(items).length;
  return 0;
}

/** The part of the expression a node spans, shortened, so the error points at the macro or operator. */
function excerpt(source: string, node: CheckedNode): string {
  const start: unknown = Reflect.get(node, "start");
  const end: unknown = Reflect.get(node, "end");
  const text =
    typeof start === "number" && typeof end === "number" ? source.slice(start, end) : source;
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
