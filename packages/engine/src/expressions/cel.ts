import type { ASTNode } from "@marcbachmann/cel-js";
import { Environment } from "@marcbachmann/cel-js";

import { meterAst, withBudget } from "./budget";

/**
 * The CEL environment of Runnel expressions: four variables (trigger, nodes, vars, run), CEL's
 * standard functions and macros, optional chaining (`.?field`, `.orValue()`), structural limits and a
 * work budget per evaluation (./budget.ts).
 * CEL reads only own properties of plain data; there is no way to call host functions or reach
 * prototypes, globals or modules.
 */
export const EXPRESSION_ROOTS = ["trigger", "nodes", "vars", "run"] as const;
export type ExpressionRoot = (typeof EXPRESSION_ROOTS)[number];

const MAX_EXPRESSION_LENGTH = 4_000;
const MAX_COMPREHENSION_NESTING = 2;

const environment = new Environment({
  unlistedVariablesAreDyn: false,
  homogeneousAggregateLiterals: false,
  enableOptionalTypes: true,
  limits: {
    maxAstNodes: 2_000,
    maxDepth: 64,
    maxListElements: 1_000,
    maxMapEntries: 1_000,
    maxCallArguments: 16,
  },
});
for (const root of EXPRESSION_ROOTS) environment.registerVariable(root, "dyn");

/**
 * JSON has one number type; CEL has int and double and refuses to mix them. Whole numbers arrive as
 * int, so `price * 2` with price 2.5 would fail: these overloads let int and double mix (result double).
 */
const MIXED: Record<"+" | "-" | "*" | "/", (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
};
for (const [operator, apply] of Object.entries(MIXED)) {
  environment.registerOperator(`double ${operator} int`, (a: number, b: bigint) =>
    apply(a, Number(b)),
  );
  environment.registerOperator(`int ${operator} double`, (a: bigint, b: number) =>
    apply(Number(a), b),
  );
}

export class ExpressionError extends Error {
  readonly expression: string;

  constructor(expression: string, message: string) {
    super(message);
    this.name = "ExpressionError";
    this.expression = expression;
  }
}

/** A static read path: `nodes.fetch.body.items[0]` → root "nodes", path ["fetch", "body", "items", 0]. */
export interface Reference {
  root: ExpressionRoot;
  path: (string | number)[];
  /** True when the path was cut short (optional access, `has()`, or a dynamic index follows). */
  partial: boolean;
}

export interface ExpressionAnalysis {
  references: Reference[];
  /** True when `nodes` is read with a computed key or as a whole, so which node is read is unknown. */
  dynamicNodeAccess: boolean;
}

interface Compiled {
  evaluate(context: Record<string, unknown>): unknown;
  analysis: ExpressionAnalysis;
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 2_000;

/** Parses and analyses a CEL expression (cached); throws {@link ExpressionError} on a syntax or type error. */
export function compileExpression(source: string): Compiled {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  if (source.length > MAX_EXPRESSION_LENGTH)
    throw new ExpressionError(source, `expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  let parsed: ReturnType<Environment["parse"]>;
  try {
    parsed = environment.parse(source);
  } catch (error) {
    throw new ExpressionError(source, firstLine(error));
  }
  const checked = parsed.check();
  if (!checked.valid) throw new ExpressionError(source, firstLine(checked.error));
  const analysis = analyse(source, parsed.ast);
  meterAst(parsed.ast, source);
  const compiled: Compiled = {
    evaluate: (context) => {
      try {
        return withBudget(() => parsed(context) as unknown);
      } catch (error) {
        throw new ExpressionError(source, firstLine(error));
      }
    },
    analysis,
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

const MACROS = new Set([
  "all",
  "exists",
  "exists_one",
  "map",
  "filter",
  "transformList",
  "transformMap",
  "transformMapEntry",
]);

function analyse(source: string, ast: ASTNode): ExpressionAnalysis {
  const references: Reference[] = [];
  let dynamicNodeAccess = false;

  /** Resolves a chain of static accesses ending at a root variable; undefined when it does not. */
  function chain(
    node: ASTNode,
    bound: ReadonlySet<string>,
  ): { root: ExpressionRoot; path: (string | number)[]; partial: boolean } | undefined {
    switch (node.op) {
      case "id":
        return isRoot(node.args) && !bound.has(node.args)
          ? { root: node.args, path: [], partial: false }
          : undefined;
      case ".":
      case ".?": {
        const base = chain(node.args[0], bound);
        if (base === undefined) return undefined;
        if (base.partial) return base;
        return node.op === "."
          ? { ...base, path: [...base.path, node.args[1]] }
          : { ...base, path: [...base.path, node.args[1]], partial: true };
      }
      case "[]":
      case "[?]": {
        const base = chain(node.args[0], bound);
        if (base === undefined) return undefined;
        if (base.partial) return base;
        const key = node.args[1];
        if (key.op === "value" && (typeof key.args === "string" || typeof key.args === "bigint")) {
          const segment = typeof key.args === "string" ? key.args : Number(key.args);
          return { ...base, path: [...base.path, segment], partial: node.op === "[?]" };
        }
        return { ...base, partial: true };
      }
      default:
        return undefined;
    }
  }

  function record(node: ASTNode, bound: ReadonlySet<string>, cut: boolean): boolean {
    const found = chain(node, bound);
    if (found === undefined) return false;
    const partial = found.partial || cut;
    if (found.root === "nodes" && (found.path.length === 0 || typeof found.path[0] !== "string"))
      dynamicNodeAccess = true;
    references.push({ root: found.root, path: found.path, partial });
    return true;
  }

  function visit(node: ASTNode, bound: ReadonlySet<string>, depth: number): void {
    switch (node.op) {
      case "value":
        return;
      case "id":
        if (!bound.has(node.args) && !isRoot(node.args))
          throw new ExpressionError(
            source,
            `unknown variable "${node.args}" (use trigger, nodes, vars or run)`,
          );
        if (isRoot(node.args) && !bound.has(node.args)) record(node, bound, false);
        return;
      case ".":
      case ".?":
      case "[]":
      case "[?]":
        if (record(node, bound, false)) {
          visitIndexes(node, bound, depth);
          return;
        }
        visit(node.args[0], bound, depth);
        if (node.op === "[]" || node.op === "[?]") visit(node.args[1], bound, depth);
        return;
      case "call": {
        const [name, args] = node.args;
        if (name === "matches") checkPattern(source, args[1]);
        if (name === "has" && args.length === 1 && args[0] !== undefined) {
          const target = args[0];
          if (target.op === "." || target.op === ".?") {
            const parent = chain(target.args[0], bound);
            if (parent !== undefined && parent.path.length === 0 && !parent.partial) {
              // has(nodes.fetch) asks whether a node ran: it names the node, not every node
              references.push({ root: parent.root, path: [target.args[1]], partial: true });
              return;
            }
            if (record(target.args[0], bound, true)) return;
          }
        }
        for (const arg of args) visit(arg, bound, depth);
        return;
      }
      case "rcall": {
        const [name, receiver, args] = node.args;
        if (name === "matches") checkPattern(source, args[0]);
        if (
          name === "bind" &&
          receiver.op === "id" &&
          receiver.args === "cel" &&
          !bound.has("cel")
        ) {
          const [variable, init, body] = args;
          if (variable?.op !== "id" || init === undefined || body === undefined)
            throw new ExpressionError(source, "cel.bind(name, value, expression) needs a name");
          visit(init, bound, depth);
          visit(body, new Set([...bound, variable.args]), depth);
          return;
        }
        visit(receiver, bound, depth);
        if (MACROS.has(name) && args[0]?.op === "id") {
          if (depth >= MAX_COMPREHENSION_NESTING) {
            throw new ExpressionError(
              source,
              `macros (map, filter, all, exists…) may be nested at most ${MAX_COMPREHENSION_NESTING} deep`,
            );
          }
          const names = new Set(bound);
          names.add(args[0].args);
          const second = args[1];
          if (args.length === 3 && second?.op === "id" && name !== "map") names.add(second.args);
          for (const arg of args.slice(1)) visit(arg, names, depth + 1);
          return;
        }
        for (const arg of args) visit(arg, bound, depth);
        return;
      }
      case "list":
        for (const item of node.args) visit(item, bound, depth);
        return;
      case "map":
        for (const [key, value] of node.args) {
          visit(key, bound, depth);
          visit(value, bound, depth);
        }
        return;
      case "?:":
        for (const part of node.args) visit(part, bound, depth);
        return;
      case "!_":
      case "-_":
        visit(node.args, bound, depth);
        return;
      default:
        for (const part of node.args) visit(part, bound, depth);
    }
  }

  /** Visits computed index expressions inside a recorded access chain (`nodes.a[vars.i]`). */
  function visitIndexes(node: ASTNode, bound: ReadonlySet<string>, depth: number): void {
    if (node.op === "." || node.op === ".?") visitIndexes(node.args[0], bound, depth);
    if (node.op === "[]" || node.op === "[?]") {
      visitIndexes(node.args[0], bound, depth);
      if (node.args[1].op !== "value") visit(node.args[1], bound, depth);
    }
  }

  visit(ast, new Set(), 0);
  return { references, dynamicNodeAccess };
}

const MAX_PATTERN_LENGTH = 200;
/** A quantified group that itself contains a quantifier: the shape of catastrophic backtracking. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}?](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,?\d*\})/;

/**
 * `matches()` runs a JavaScript regular expression in the engine process. To keep one expression from
 * stalling it (ReDoS), the pattern must be a string literal, short, and free of nested quantifiers.
 */
function checkPattern(source: string, pattern: ASTNode | undefined): void {
  if (pattern?.op !== "value" || typeof pattern.args !== "string") {
    throw new ExpressionError(source, "matches() needs its pattern as a string literal");
  }
  if (pattern.args.length > MAX_PATTERN_LENGTH)
    throw new ExpressionError(
      source,
      `matches() patterns are limited to ${MAX_PATTERN_LENGTH} characters`,
    );
  const groupsOpened = pattern.args.replace(/\(\?(?:[:=!]|<[=!]?[A-Za-z_]*>?)/g, "(");
  if (NESTED_QUANTIFIER.test(groupsOpened)) {
    throw new ExpressionError(
      source,
      "matches() refuses patterns with a repeated group that repeats inside, like (a+)+ (they can take exponential time)",
    );
  }
}

function isRoot(name: string): name is ExpressionRoot {
  return (EXPRESSION_ROOTS as readonly string[]).includes(name);
}
