import { z } from "zod";

import type { JsonSchema, NodeCatalogue, NodeDefinition, OutputPorts } from "@runnel/nodes";
import { portTypesCompatible, slotTypes } from "@runnel/nodes";

import type { Reference } from "../expressions";
import type { FlowEdge, FlowNode } from "../flow/definition";
import type { CompileResult, ExecutionPlan, PlanNode, Problem } from "./plan";
import { ExpressionError, findTemplates, parseTemplate } from "../expressions";
import {
  FlowEdge as FlowEdgeSchema,
  FlowNode as FlowNodeSchema,
  FlowVars,
  MAX_EDGES,
  MAX_NODES,
} from "../flow/definition";
import { checkSchemaPath } from "./schema-path";

export interface AvailableCredential {
  id: string;
  type: string;
}

export interface CompileOptions {
  catalogue: NodeCatalogue;
  /** Credentials of the org the flow belongs to (ids and types only). */
  credentials: readonly AvailableCredential[];
  /**
   * The org's flows (ids, and whether each has a published version): when given, a flow a node refers to (an
   * agent's flow tool) must be one of them and published.
   */
  flows?: readonly AvailableFlow[];
}

export interface AvailableFlow {
  id: string;
  published: boolean;
}

/** Fields of `run` in expressions; the runtime provides exactly these. */
export const RUN_FIELDS = [
  "id",
  "flowId",
  "flowVersion",
  "orgId",
  "startedAt",
  "triggerNodeId",
] as const;

/** What a node's `error` port (and a `continue`d failure) carries. */
export const ERROR_OUTPUT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        message: { type: "string" },
        name: { type: "string" },
        attempts: { type: "integer" },
      },
      required: ["message", "name"],
      additionalProperties: false,
    },
  },
  required: ["error"],
  additionalProperties: false,
};

const TopLevel = z.object({
  nodes: z.array(z.unknown()).max(MAX_NODES),
  edges: z.array(z.unknown()).max(MAX_EDGES),
  vars: FlowVars.default({}),
});

/** Triggers that may appear at most once, and pairs that exclude each other (docs/flows.md). */
const SINGLE_TRIGGERS = new Set(["manual", "webhook", "api"]);
const EXCLUSIVE_TRIGGERS: readonly [string, string][] = [["manual", "api"]];

interface CompiledNode {
  node: FlowNode;
  index: number;
  definition: NodeDefinition | undefined;
  outputs: OutputPorts;
}

interface CompiledEdge {
  edge: FlowEdge;
  index: number;
}

/**
 * Validates a flow definition against the node catalogue and the org's credentials and returns an
 * execution plan, or every problem found. Static: it evaluates no expression and runs no node.
 */
export function compileFlow(definition: unknown, options: CompileOptions): CompileResult {
  const problems: Problem[] = [];
  const report = (problem: Problem) => problems.push(problem);

  const top = TopLevel.safeParse(definition);
  if (!top.success) {
    return {
      ok: false,
      problems: top.error.issues.map((issue) => ({
        nodeId: null,
        path: issue.path.map(pathKey),
        message: issue.message,
        code: "invalid_definition",
      })),
    };
  }
  const vars = top.data.vars;

  // Nodes: shape, unique ids, known type and version, valid config.
  const nodes = new Map<string, CompiledNode>();
  top.data.nodes.forEach((raw, index) => {
    const rawId: unknown =
      typeof raw === "object" && raw !== null ? Reflect.get(raw, "id") : undefined;
    const parsed = FlowNodeSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        report({
          nodeId: typeof rawId === "string" ? rawId : null,
          path: ["nodes", index, ...issue.path.map(pathKey)],
          message: issue.message,
          code: "invalid_definition",
        });
      }
      return;
    }
    const node = parsed.data;
    if (nodes.has(node.id)) {
      report({
        nodeId: node.id,
        path: ["nodes", index, "id"],
        message: `node id "${node.id}" is used by another node`,
        code: "duplicate_node_id",
      });
      return;
    }
    const definition = options.catalogue.get(node.type, node.version);
    if (definition === undefined) {
      const versions = options.catalogue.versions(node.type);
      report(
        versions.length === 0
          ? {
              nodeId: node.id,
              path: ["nodes", index, "type"],
              message: `unknown node type "${node.type}"`,
              code: "unknown_node_type",
            }
          : {
              nodeId: node.id,
              path: ["nodes", index, "version"],
              message: `${node.type} has no version ${node.version} (available: ${versions.join(", ")})`,
              code: "unknown_node_version",
            },
      );
    } else {
      checkConfig(definition, node, index, report);
    }
    const outputs: OutputPorts =
      definition === undefined
        ? {}
        : {
            ...definition.outputPorts(node.config),
            ...(node.settings.onError === "error_port"
              ? { error: { type: "object" as const, label: "Error" } }
              : {}),
          };
    nodes.set(node.id, { node, index, definition, outputs });
  });

  // Edges: shape, unique ids, known ends and ports, matching port types.
  const edges: CompiledEdge[] = [];
  /** Edges between existing nodes, even with a bad port: graph checks use them so one bad port is one problem. */
  const links: FlowEdge[] = [];
  const edgeIds = new Set<string>();
  const edgeKeys = new Set<string>();
  top.data.edges.forEach((raw, index) => {
    const rawId: unknown =
      typeof raw === "object" && raw !== null ? Reflect.get(raw, "id") : undefined;
    const parsed = FlowEdgeSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const problem: Problem = {
          nodeId: null,
          path: ["edges", index, ...issue.path.map(pathKey)],
          message: issue.message,
          code: "invalid_definition",
        };
        report(typeof rawId === "string" ? { ...problem, edgeId: rawId } : problem);
      }
      return;
    }
    const edge = parsed.data;
    const at = (field: string): (string | number)[] => ["edges", index, field];
    if (edgeIds.has(edge.id)) {
      report({
        nodeId: null,
        edgeId: edge.id,
        path: at("id"),
        message: `edge id "${edge.id}" is used twice`,
        code: "duplicate_edge_id",
      });
      return;
    }
    edgeIds.add(edge.id);
    const source = nodes.get(edge.source);
    const target = nodes.get(edge.target);
    if (source === undefined) {
      report({
        nodeId: null,
        edgeId: edge.id,
        path: at("source"),
        message: `edge ${edge.id} starts at unknown node "${edge.source}"`,
        code: "edge_unknown_node",
      });
    }
    if (target === undefined) {
      report({
        nodeId: null,
        edgeId: edge.id,
        path: at("target"),
        message: `edge ${edge.id} ends at unknown node "${edge.target}"`,
        code: "edge_unknown_node",
      });
    }
    if (source === undefined || target === undefined) return;
    links.push(edge);
    let usable = true;
    const sourcePort = source.outputs[edge.sourcePort];
    if (source.definition !== undefined && sourcePort === undefined) {
      const hint =
        edge.sourcePort === "error"
          ? ` (set the node's onError to "error_port" to use it)`
          : ` (ports: ${Object.keys(source.outputs).join(", ") || "none"})`;
      report({
        nodeId: source.node.id,
        edgeId: edge.id,
        path: at("sourcePort"),
        message: `${source.node.id} has no output port "${edge.sourcePort}"${hint}`,
        code: "edge_unknown_port",
      });
      usable = false;
    }
    const targetPort = target.definition?.inputs[edge.targetPort];
    if (target.definition !== undefined && targetPort === undefined) {
      const ports = Object.keys(target.definition.inputs);
      report({
        nodeId: target.node.id,
        edgeId: edge.id,
        path: at("targetPort"),
        message: `${target.node.id} has no input port "${edge.targetPort}" (${ports.length === 0 ? "it takes no inputs" : `ports: ${ports.join(", ")}`})`,
        code: "edge_unknown_port",
      });
      usable = false;
    }
    if (
      sourcePort !== undefined &&
      targetPort !== undefined &&
      !portTypesCompatible(sourcePort.type, targetPort.type)
    ) {
      report({
        nodeId: target.node.id,
        edgeId: edge.id,
        path: at("targetPort"),
        message: `${edge.source}.${edge.sourcePort} gives ${sourcePort.type} but ${edge.target}.${edge.targetPort} takes ${targetPort.type}`,
        code: "port_type_mismatch",
      });
    }
    const key = `${edge.source}\u0000${edge.sourcePort}\u0000${edge.target}\u0000${edge.targetPort}`;
    if (edgeKeys.has(key)) {
      report({
        nodeId: target.node.id,
        edgeId: edge.id,
        path: at("id"),
        message: `edge ${edge.id} repeats another edge between the same ports`,
        code: "duplicate_edge",
      });
      usable = false;
    }
    edgeKeys.add(key);
    if (usable) edges.push({ edge, index });
  });

  // Required inputs.
  for (const { node, index, definition } of nodes.values()) {
    if (definition === undefined) continue;
    for (const [port, spec] of Object.entries(definition.inputs)) {
      if (spec.required === false || spec.multiple === true) continue;
      if (!edges.some(({ edge }) => edge.target === node.id && edge.targetPort === port)) {
        report({
          nodeId: node.id,
          path: ["nodes", index],
          message: `required input "${port}" of ${node.id} is not connected`,
          code: "missing_input",
        });
      }
    }
  }

  // Graph structure.
  const ids = [...nodes.keys()];
  const successors = new Map<string, string[]>(ids.map((id) => [id, []]));
  const predecessors = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of links) {
    successors.get(edge.source)?.push(edge.target);
    predecessors.get(edge.target)?.push(edge.source);
  }

  for (const cycle of findCycles(ids, successors)) {
    const text = [...cycle, cycle[0]].join(" → ");
    for (const id of cycle) {
      const entry = nodes.get(id);
      if (entry !== undefined)
        report({
          nodeId: id,
          path: ["nodes", entry.index],
          message: `${id} is part of a cycle: ${text}`,
          code: "cycle",
        });
    }
  }

  const triggers = [...nodes.values()].filter((entry) => entry.definition?.kind === "trigger");
  checkTriggers(triggers, nodes, successors, report);

  const reached = reachableFrom(
    triggers.map((entry) => entry.node.id),
    successors,
  );
  if (triggers.length > 0) {
    for (const { node, index, definition } of nodes.values()) {
      if (definition?.kind === "trigger" || reached.has(node.id)) continue;
      report({
        nodeId: node.id,
        path: ["nodes", index],
        message: `${node.id} cannot be reached from any trigger`,
        code: "unreachable",
      });
    }
  }

  const ancestors = new Map<string, Set<string>>();
  for (const id of ids) {
    const found = reachableFrom(predecessors.get(id) ?? [], predecessors);
    ancestors.set(id, found);
  }

  // Expressions and credentials.
  const reads = new Map<string, { nodes: Set<string>; any: boolean }>();
  for (const entry of nodes.values()) {
    if (entry.definition === undefined) continue;
    reads.set(
      entry.node.id,
      checkExpressions(
        entry,
        entry.definition,
        { nodes, edges, ancestors, triggers, vars },
        report,
      ),
    );
    checkCredentials(entry, entry.definition, options.credentials, report);
    if (options.flows) checkFlowReferences(entry, entry.definition, options.flows, report);
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, plan: buildPlan(nodes, edges, ancestors, reads, vars) };
}

type Report = (problem: Problem) => void;

function checkConfig(
  definition: NodeDefinition,
  node: FlowNode,
  index: number,
  report: Report,
): void {
  const parsed = definition.config.safeParse(node.config);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(pathKey);
    const template = templateAt(node.config, path);
    // A single {{ }} may yield any type: its value is checked at run time. Mixed text always yields a
    // string, so a type error is real; other checks (formats, lengths) wait for the evaluated text.
    if (template === "single" || (template === "mixed" && issue.code !== "invalid_type")) continue;
    report({
      nodeId: node.id,
      path: ["nodes", index, "config", ...path],
      message: issue.message,
      code: "invalid_config",
    });
  }
}

/** Whether the value at `path`, or at one of its prefixes, is a template string, and of which kind. */
function templateAt(
  config: unknown,
  path: readonly (string | number)[],
): "single" | "mixed" | undefined {
  let current: unknown = config;
  for (let depth = 0; depth <= path.length; depth += 1) {
    if (typeof current === "string") return templateKind(current);
    if (depth === path.length || typeof current !== "object" || current === null) return undefined;
    const key = path[depth];
    if (key === undefined) return undefined;
    current = Object.hasOwn(current, key) ? Reflect.get(current, key) : undefined;
  }
  return undefined;
}

function templateKind(text: string): "single" | "mixed" | undefined {
  if (!text.includes("{{")) return undefined;
  try {
    return parseTemplate(text).single ? "single" : "mixed";
  } catch {
    return "single";
  }
}

function checkTriggers(
  triggers: CompiledNode[],
  nodes: Map<string, CompiledNode>,
  successors: Map<string, string[]>,
  report: Report,
): void {
  if (triggers.length === 0) {
    report({
      nodeId: null,
      path: ["nodes"],
      message: "the flow has no trigger (add a manual, webhook, schedule or API trigger)",
      code: "no_trigger",
    });
    return;
  }
  const byKind = new Map<string, CompiledNode[]>();
  for (const entry of triggers) {
    const kind = entry.definition?.trigger ?? "unknown";
    byKind.set(kind, [...(byKind.get(kind) ?? []), entry]);
  }
  for (const [kind, entries] of byKind) {
    if (!SINGLE_TRIGGERS.has(kind)) continue;
    for (const extra of entries.slice(1)) {
      report({
        nodeId: extra.node.id,
        path: ["nodes", extra.index],
        message: `a flow has at most one ${kind} trigger (already: ${entries[0]?.node.id ?? "?"})`,
        code: "conflicting_triggers",
      });
    }
  }
  for (const [first, second] of EXCLUSIVE_TRIGGERS) {
    const a = byKind.get(first)?.[0];
    const b = byKind.get(second)?.[0];
    if (a === undefined || b === undefined) continue;
    report({
      nodeId: b.node.id,
      path: ["nodes", b.index],
      message: `${first} and ${second} triggers exclude each other: both define the run input (${a.node.id}, ${b.node.id})`,
      code: "conflicting_triggers",
    });
  }
  for (const entry of byKind.get("webhook") ?? []) {
    if (Reflect.get(entry.node.config, "respondMode") !== "respond_node") continue;
    const downstream = reachableFrom([entry.node.id], successors);
    const responds = [...downstream].some((id) => nodes.get(id)?.definition?.kind === "respond");
    if (!responds) {
      report({
        nodeId: entry.node.id,
        path: ["nodes", entry.index, "config", "respondMode"],
        message: `${entry.node.id} answers with a Respond node, but none follows it`,
        code: "missing_respond_node",
      });
    }
  }
}

interface ExpressionScope {
  nodes: Map<string, CompiledNode>;
  edges: CompiledEdge[];
  ancestors: Map<string, Set<string>>;
  triggers: CompiledNode[];
  vars: Record<string, unknown>;
}

function checkExpressions(
  entry: CompiledNode,
  definition: NodeDefinition,
  scope: ExpressionScope,
  report: Report,
): { nodes: Set<string>; any: boolean } {
  const { node, index } = entry;
  const readNodes = new Set<string>();
  let any = false;
  const upstream = scope.ancestors.get(node.id) ?? new Set<string>();
  const skip = [...definition.literalConfig, ...definition.credentials.map((slot) => slot.key)];
  for (const template of findTemplates(node.config, skip)) {
    const at = ["nodes", index, "config", ...template.path];
    let parsed: ReturnType<typeof parseTemplate>;
    try {
      parsed = parseTemplate(template.text);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      report({
        nodeId: node.id,
        path: at,
        message: `{{ ${error.expression} }}: ${error.message}`,
        code: "expression_syntax",
      });
      continue;
    }
    for (const expression of parsed.expressions) {
      if (expression.analysis.dynamicNodeAccess) any = true;
      for (const reference of expression.analysis.references) {
        const problem = checkReference(reference, node.id, upstream, scope);
        if (problem !== undefined)
          report({
            nodeId: node.id,
            path: at,
            message: `{{ ${expression.source} }}: ${problem.message}`,
            code: problem.code,
          });
        const id = reference.root === "nodes" ? reference.path[0] : undefined;
        if (typeof id === "string" && upstream.has(id)) readNodes.add(id);
      }
    }
  }
  return { nodes: readNodes, any };
}

function checkReference(
  reference: Reference,
  nodeId: string,
  upstream: Set<string>,
  scope: ExpressionScope,
): { message: string; code: Problem["code"] } | undefined {
  const dotted = [reference.root, ...reference.path]
    .map((segment) => (typeof segment === "number" ? `[${segment}]` : segment))
    .join(".")
    .replaceAll(".[", "[");
  switch (reference.root) {
    case "nodes": {
      const id = reference.path[0];
      if (typeof id !== "string") return undefined;
      const source = scope.nodes.get(id);
      if (source === undefined)
        return { message: `there is no node "${id}"`, code: "expression_unknown_node" };
      if (id === nodeId)
        return { message: `${nodeId} cannot read its own output`, code: "expression_not_upstream" };
      if (!upstream.has(id))
        return {
          message: `${id} is not upstream of ${nodeId}, so its output is not available here`,
          code: "expression_not_upstream",
        };
      const schemas = portSchemasToward(source, nodeId, upstream, scope.edges);
      return fieldProblem(schemas, reference.path.slice(1), dotted, `the output of ${id}`);
    }
    case "trigger": {
      const schemas: (JsonSchema | undefined)[] = [];
      for (const trigger of scope.triggers) {
        if (!upstream.has(trigger.node.id)) continue;
        schemas.push(trigger.definition?.outputSchemas(trigger.node.config).out);
      }
      return fieldProblem(schemas, reference.path, dotted, "the trigger output");
    }
    case "vars": {
      const name = reference.path[0];
      if (typeof name === "string" && !Object.hasOwn(scope.vars, name)) {
        const known = Object.keys(scope.vars);
        return {
          message: `${dotted}: no flow variable "${name}"${known.length > 0 ? ` (variables: ${known.join(", ")})` : ""}`,
          code: "expression_unknown_var",
        };
      }
      return undefined;
    }
    case "run": {
      const field = reference.path[0];
      if (typeof field === "string" && !(RUN_FIELDS as readonly string[]).includes(field)) {
        return {
          message: `${dotted}: run has no field "${field}" (fields: ${RUN_FIELDS.join(", ")})`,
          code: "expression_unknown_field",
        };
      }
      return undefined;
    }
  }
}

/** Schemas of the ports of `source` through which data can flow to `nodeId` (undefined = unknown shape). */
function portSchemasToward(
  source: CompiledNode,
  nodeId: string,
  upstream: Set<string>,
  edges: CompiledEdge[],
): (JsonSchema | undefined)[] {
  const known = source.definition?.outputSchemas(source.node.config) ?? {};
  const ports = new Set<string>();
  for (const { edge } of edges) {
    if (edge.source === source.node.id && (edge.target === nodeId || upstream.has(edge.target)))
      ports.add(edge.sourcePort);
  }
  return [...ports].map((port) => (port === "error" ? ERROR_OUTPUT_SCHEMA : known[port]));
}

function fieldProblem(
  schemas: (JsonSchema | undefined)[],
  path: (string | number)[],
  dotted: string,
  what: string,
): { message: string; code: Problem["code"] } | undefined {
  if (path.length === 0 || schemas.length === 0) return undefined;
  const checks = [];
  for (const schema of schemas) {
    if (schema === undefined) return undefined;
    const check = checkSchemaPath(schema, path);
    if (check.result !== "no") return undefined;
    checks.push(check);
  }
  const first = checks[0];
  if (first === undefined || first.result !== "no") return undefined;
  const segment = path[first.at];
  const known = [...new Set(checks.flatMap((check) => (check.result === "no" ? check.known : [])))];
  const field = typeof segment === "number" ? `[${segment}]` : `"${String(segment)}"`;
  return {
    message: `${dotted}: ${field} does not exist in ${what}${known.length > 0 ? ` (fields: ${known.join(", ")})` : ""}`,
    code: "expression_unknown_field",
  };
}

function checkCredentials(
  entry: CompiledNode,
  definition: NodeDefinition,
  available: readonly AvailableCredential[],
  report: Report,
): void {
  const { node, index } = entry;
  for (const slot of definition.credentials) {
    const accepted = slotTypes(slot);
    const wanted = accepted.join(" or ");
    const value: unknown = Reflect.get(node.config, slot.key);
    const at = ["nodes", index, "config", slot.key];
    if (value === undefined || value === null || value === "") {
      if (slot.required)
        report({
          nodeId: node.id,
          path: at,
          message: `${node.id} needs a ${wanted} credential`,
          code: "missing_credential",
        });
      continue;
    }
    if (typeof value !== "string") continue;
    if (value.includes("{{")) {
      report({
        nodeId: node.id,
        path: at,
        message: "a credential is chosen by id, not by an expression",
        code: "credential_expression",
      });
      continue;
    }
    const credential = available.find((candidate) => candidate.id === value);
    if (credential === undefined) {
      report({
        nodeId: node.id,
        path: at,
        message: `credential "${value}" does not exist in this organisation`,
        code: "unknown_credential",
      });
    } else if (!accepted.includes(credential.type)) {
      report({
        nodeId: node.id,
        path: at,
        message: `credential "${value}" is a ${credential.type} credential; ${node.id} needs ${wanted}`,
        code: "credential_type_mismatch",
      });
    }
  }
}

function checkFlowReferences(
  entry: CompiledNode,
  definition: NodeDefinition,
  available: readonly AvailableFlow[],
  report: Report,
): void {
  const { node, index } = entry;
  for (const reference of definition.flowReferences(node.config)) {
    const flow = available.find((candidate) => candidate.id === reference.flowId);
    const at = ["nodes", index, "config", ...reference.path];
    if (flow === undefined)
      report({
        nodeId: node.id,
        path: at,
        message: `flow "${reference.flowId}" does not exist in this organisation`,
        code: "unknown_flow",
      });
    else if (!flow.published)
      report({
        nodeId: node.id,
        path: at,
        message: `flow "${reference.flowId}" has no published version: publish it before ${node.id} uses it`,
        code: "unpublished_flow",
      });
  }
}

function reachableFrom(starts: readonly string[], next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...starts];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    if (seen.has(item)) continue;
    seen.add(item);
    queue.push(...(next.get(item) ?? []));
  }
  return seen;
}

/** Strongly connected components with more than one node, or with a self-edge (Tarjan). */
function findCycles(ids: readonly string[], successors: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];

  const connect = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter);
    counter += 1;
    stack.push(id);
    onStack.add(id);
    for (const next of successors.get(id) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(id, Math.min(low.get(id) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(id) !== index.get(id)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.push(top);
      if (top === id) break;
    }
    const selfLoop = component.length === 1 && (successors.get(id) ?? []).includes(id);
    if (component.length > 1 || selfLoop) {
      const order = new Map(ids.map((nodeId, position) => [nodeId, position]));
      cycles.push(component.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));
    }
  };

  for (const id of ids) if (!index.has(id)) connect(id);
  return cycles;
}

function buildPlan(
  nodes: Map<string, CompiledNode>,
  edges: CompiledEdge[],
  ancestors: Map<string, Set<string>>,
  reads: Map<string, { nodes: Set<string>; any: boolean }>,
  vars: Record<string, z.core.util.JSONType>,
): ExecutionPlan {
  const ids = [...nodes.keys()];
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const { edge } of edges) indegree.set(edge.target, (indegree.get(edge.target) ?? 0) + 1);
  const level = new Map(ids.map((id) => [id, 0]));
  const order: string[] = [];
  const ready = ids.filter((id) => indegree.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift();
    if (id === undefined) break;
    order.push(id);
    for (const { edge } of edges) {
      if (edge.source !== id) continue;
      level.set(edge.target, Math.max(level.get(edge.target) ?? 0, (level.get(id) ?? 0) + 1));
      const remaining = (indegree.get(edge.target) ?? 0) - 1;
      indegree.set(edge.target, remaining);
      if (remaining === 0) ready.push(edge.target);
    }
  }
  const position = new Map(order.map((id, at) => [id, at]));
  const layers: string[][] = [];
  for (const id of order) {
    const depth = level.get(id) ?? 0;
    (layers[depth] ??= []).push(id);
  }

  const planNodes: Record<string, PlanNode> = {};
  for (const { node, definition, outputs } of nodes.values()) {
    if (definition === undefined) continue;
    const inputs: PlanNode["inputs"] = {};
    for (const [port, spec] of Object.entries(definition.inputs)) {
      inputs[port] = {
        edges: edges
          .filter(({ edge }) => edge.target === node.id && edge.targetPort === port)
          .map(({ edge }) => edge.id),
        required: spec.required !== false && spec.multiple !== true,
        multiple: spec.multiple === true,
      };
    }
    const outputEdges: PlanNode["outputs"] = {};
    for (const port of Object.keys(outputs)) {
      outputEdges[port] = edges
        .filter(({ edge }) => edge.source === node.id && edge.sourcePort === port)
        .map(({ edge }) => edge.id);
    }
    const read = reads.get(node.id);
    planNodes[node.id] = {
      id: node.id,
      name: node.name,
      type: node.type,
      version: node.version,
      kind: definition.kind,
      ...(definition.trigger === undefined ? {} : { trigger: definition.trigger }),
      config: node.config,
      literalConfig: [
        ...definition.literalConfig,
        ...definition.credentials.map((slot) => slot.key),
      ],
      settings: node.settings,
      upstream: [...(ancestors.get(node.id) ?? [])].sort(
        (a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0),
      ),
      reads: [...(read?.nodes ?? [])].sort(
        (a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0),
      ),
      readsAnyNode: read?.any ?? false,
      inputs,
      outputs: outputEdges,
      continuePort: Object.keys(definition.outputs)[0] ?? "out",
    };
  }
  return {
    nodes: planNodes,
    edges: Object.fromEntries(edges.map(({ edge }) => [edge.id, { ...edge }])),
    order,
    layers,
    triggers: order.filter((id) => planNodes[id]?.kind === "trigger"),
    vars,
  };
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === "symbol" ? String(key) : key;
}
