import type { JsonValue, TemplatePart } from "@runnel/nodes";
import { scanTemplate, TemplateSyntaxError } from "@runnel/nodes";

import type { ExpressionAnalysis, ExpressionRoot, Reference } from "./cel";
import { compileExpression, EXPRESSION_ROOTS, ExpressionError } from "./cel";
import { celMap, fromCel, toCel } from "./values";

export type { ExpressionAnalysis, ExpressionRoot, Reference } from "./cel";
export { EXPRESSION_ROOTS, ExpressionError } from "./cel";
export type { TemplatePart } from "@runnel/nodes";
export { hasTemplate, TemplateSyntaxError } from "@runnel/nodes";

/** What expressions see. `nodes` holds the outputs of the evaluating node's upstream nodes only. */
export interface ExpressionContext {
  trigger: JsonValue;
  nodes: Readonly<Record<string, JsonValue>>;
  vars: Readonly<Record<string, JsonValue>>;
  run: Readonly<Record<string, JsonValue>>;
}

export interface ParsedExpression {
  source: string;
  /** Offset of the expression in the template string. */
  offset: number;
  analysis: ExpressionAnalysis;
}

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** True when the string is exactly one `{{ }}` (surrounding whitespace aside): it yields the raw value. */
  single: boolean;
  expressions: ParsedExpression[];
}

/** Parses a template string; throws {@link ExpressionError} (with the expression) on any syntax problem. */
export function parseTemplate(text: string): ParsedTemplate {
  let parts: TemplatePart[];
  try {
    parts = scanTemplate(text);
  } catch (error) {
    if (error instanceof TemplateSyntaxError)
      throw new ExpressionError(text, `${error.message} at character ${error.offset + 1}`);
    throw error;
  }
  const expressions: ParsedExpression[] = [];
  for (const part of parts) {
    if (part.kind === "expression")
      expressions.push({
        source: part.source,
        offset: part.offset,
        analysis: compileExpression(part.source).analysis,
      });
  }
  const meaningful = parts.filter((part) => part.kind === "expression" || part.text.trim() !== "");
  return { parts, single: expressions.length === 1 && meaningful.length === 1, expressions };
}

/** A template string found in a config, with its config path. */
export interface ConfigTemplate {
  path: (string | number)[];
  text: string;
}

/** Every string in a config that contains `{{`, except under the node's literal keys. */
export function findTemplates(
  config: unknown,
  literalKeys: readonly string[] = [],
): ConfigTemplate[] {
  const found: ConfigTemplate[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === "string") {
      if (value.includes("{{")) found.push({ path, text: value });
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => walk(item, [...path, index]));
    } else if (typeof value === "object" && value !== null) {
      for (const key of Object.keys(value)) {
        if (path.length === 0 && literalKeys.includes(key)) continue;
        const item: unknown = Reflect.get(value, key);
        walk(item, [...path, key]);
      }
    }
  };
  walk(config, []);
  return found;
}

/** An expression failed while resolving a config; `path` is the config path of the string. */
export class ConfigExpressionError extends Error {
  readonly path: (string | number)[];
  readonly expression: string;

  constructor(path: (string | number)[], expression: string, message: string) {
    super(
      `config${path.map((segment) => `.${segment}`).join("")}: {{ ${expression} }}: ${message}`,
    );
    this.name = "ConfigExpressionError";
    this.path = path;
    this.expression = expression;
  }
}

/**
 * Evaluates one template string: exactly one `{{ }}` yields its raw JSON value; mixed text interpolates
 * (strings as they are, null as "", other values as JSON).
 */
export function evaluateTemplate(text: string, context: ExpressionContext): JsonValue {
  return evaluateParsed(parseTemplate(text), new Scope(context));
}

/**
 * Returns a copy of `config` with every template string evaluated (keys in `literalKeys` at the top
 * level are copied as they are). Throws {@link ConfigExpressionError} naming the config path.
 */
export function resolveConfig(
  config: JsonValue,
  context: ExpressionContext,
  literalKeys: readonly string[] = [],
): JsonValue {
  const scope = new Scope(context);
  const walk = (value: JsonValue, path: (string | number)[]): JsonValue => {
    if (typeof value === "string") {
      if (!value.includes("{{")) return value;
      try {
        return evaluateParsed(parseTemplate(value), scope);
      } catch (error) {
        if (error instanceof ExpressionError)
          throw new ConfigExpressionError(path, error.expression, error.message);
        throw error;
      }
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      const resolved =
        path.length === 0 && literalKeys.includes(key) ? item : walk(item, [...path, key]);
      Object.defineProperty(out, key, {
        value: resolved,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(config, []);
}

function evaluateParsed(template: ParsedTemplate, scope: Scope): JsonValue {
  if (template.single) {
    const only = template.expressions[0];
    if (only === undefined) return "";
    return evaluateOne(only, scope);
  }
  let text = "";
  let next = 0;
  for (const part of template.parts) {
    if (part.kind === "text") {
      text += part.text;
      continue;
    }
    const expression = template.expressions[next];
    next += 1;
    if (expression === undefined) continue;
    text += stringify(evaluateOne(expression, scope));
  }
  return text;
}

function evaluateOne(expression: ParsedExpression, scope: Scope): JsonValue {
  const compiled = compileExpression(expression.source);
  return fromCel(expression.source, compiled.evaluate(scope.celContext(expression.analysis)));
}

function stringify(value: JsonValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Converts context data to CEL values once per resolution, and only the parts an expression reads. */
class Scope {
  private readonly roots = new Map<ExpressionRoot, unknown>();
  private readonly nodeValues = new Map<string, unknown>();
  private allNodes: Map<string, unknown> | undefined;

  constructor(private readonly context: ExpressionContext) {}

  /** The variables of one evaluation; `nodes` is a Map like all data (a node may be named `constructor`). */
  celContext(analysis: ExpressionAnalysis): Record<string, unknown> {
    let nodes = new Map<string, unknown>();
    if (analysis.dynamicNodeAccess) {
      nodes = this.everyNode();
    } else {
      for (const reference of analysis.references) {
        const id = reference.root === "nodes" ? reference.path[0] : undefined;
        if (typeof id === "string" && Object.hasOwn(this.context.nodes, id))
          nodes.set(id, this.node(id));
      }
    }
    const out: Record<string, unknown> = { nodes };
    for (const root of EXPRESSION_ROOTS) {
      if (
        root !== "nodes" &&
        analysis.references.some((reference: Reference) => reference.root === root)
      )
        out[root] = this.root(root);
    }
    return out;
  }

  private root(root: Exclude<ExpressionRoot, "nodes">): unknown {
    if (!this.roots.has(root))
      this.roots.set(
        root,
        root === "trigger" ? toCel(this.context.trigger) : celMap(this.context[root], toCel),
      );
    return this.roots.get(root);
  }

  private node(id: string): unknown {
    if (!this.nodeValues.has(id)) {
      const value = this.context.nodes[id];
      this.nodeValues.set(id, value === undefined ? null : toCel(value));
    }
    return this.nodeValues.get(id);
  }

  private everyNode(): Map<string, unknown> {
    this.allNodes ??= new Map(Object.keys(this.context.nodes).map((id) => [id, this.node(id)]));
    return this.allNodes;
  }
}
