import type { CatalogueEntry, PortType } from "@runnel/nodes";
import { getNode, portTypesCompatible } from "@runnel/nodes";

import type { FlowDefinition, FlowNode } from "./types";

/** The catalogue indexed once by `type@version` and by type (latest version), so nothing scans it per render. */
export interface CatalogueIndex {
  readonly entries: readonly CatalogueEntry[];
  get(type: string, version: number): CatalogueEntry | undefined;
  /** The highest version of a type: what the palette adds. */
  latest(type: string): CatalogueEntry | undefined;
}

export function indexCatalogue(entries: readonly CatalogueEntry[]): CatalogueIndex {
  const byKey = new Map<string, CatalogueEntry>();
  const latest = new Map<string, CatalogueEntry>();
  for (const entry of entries) {
    byKey.set(`${entry.type}@${entry.version}`, entry);
    const current = latest.get(entry.type);
    if (!current || current.version < entry.version) latest.set(entry.type, entry);
  }
  return {
    entries,
    get: (type, version) => byKey.get(`${type}@${version}`),
    latest: (type) => latest.get(type),
  };
}

export interface PortView {
  name: string;
  type: PortType;
  label: string;
  required: boolean;
  multiple: boolean;
  /** Named by an edge but not declared by the node type (stale edge, unknown type): shown so it can be deleted. */
  undeclared?: boolean;
}

export interface NodePorts {
  inputs: PortView[];
  outputs: PortView[];
}

/** Port names used by the edges of one node, beyond what its type declares. */
export interface EdgePortNames {
  inputs: ReadonlySet<string>;
  outputs: ReadonlySet<string>;
}

/**
 * The ports a node shows: its type's inputs and outputs, the outputs its config adds (switch cases), the `error`
 * port when `onError` is `error_port`, and any port an edge names that none of those declare.
 */
export function nodePorts(
  node: FlowNode,
  entry: CatalogueEntry | undefined,
  edgePorts?: EdgePortNames,
): NodePorts {
  const inputs: PortView[] = [];
  const outputs: PortView[] = [];
  if (entry) {
    for (const [name, port] of Object.entries(entry.inputs)) {
      inputs.push({
        name,
        type: port.type,
        label: port.label ?? name,
        required: port.required,
        multiple: port.multiple,
      });
    }
    const declared: Record<string, { type: PortType; label?: string }> = entry.dynamicOutputs
      ? { ...(getNode(entry.type, entry.version)?.outputPorts(node.config) ?? entry.outputs) }
      : entry.outputs;
    for (const [name, port] of Object.entries(declared)) {
      outputs.push({
        name,
        type: port.type,
        label: port.label ?? name,
        required: false,
        multiple: false,
      });
    }
  }
  if (node.settings.onError === "error_port" && !outputs.some((p) => p.name === "error")) {
    outputs.push({
      name: "error",
      type: "object",
      label: "Error",
      required: false,
      multiple: false,
    });
  }
  for (const name of edgePorts?.inputs ?? []) {
    if (!inputs.some((p) => p.name === name)) {
      inputs.push({
        name,
        type: "any",
        label: name,
        required: false,
        multiple: false,
        undeclared: true,
      });
    }
  }
  for (const name of edgePorts?.outputs ?? []) {
    if (!outputs.some((p) => p.name === name)) {
      outputs.push({
        name,
        type: "any",
        label: name,
        required: false,
        multiple: false,
        undeclared: true,
      });
    }
  }
  return { inputs, outputs };
}

export interface ConnectionRequest {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

/**
 * Why a connection may not be drawn, or null when it may: both ports must exist (output → input), their types
 * must be compatible (equal, or either is `any`), the edge must be new, and it must not close a cycle.
 */
export function connectionProblem(
  definition: FlowDefinition,
  index: CatalogueIndex,
  request: ConnectionRequest,
): string | null {
  const { source, target, sourceHandle, targetHandle } = request;
  if (source === target) return "A node cannot connect to itself.";
  const from = definition.nodes.find((n) => n.id === source);
  const to = definition.nodes.find((n) => n.id === target);
  if (!from || !to) return "Both nodes must exist.";
  const fromEntry = index.get(from.type, from.version);
  const toEntry = index.get(to.type, to.version);
  if (!fromEntry) return `${from.id} has an unknown node type (${from.type}@${from.version}).`;
  if (!toEntry) return `${to.id} has an unknown node type (${to.type}@${to.version}).`;
  const out = nodePorts(from, fromEntry).outputs.find((p) => p.name === sourceHandle);
  const into = nodePorts(to, toEntry).inputs.find((p) => p.name === targetHandle);
  if (!out) return `${from.id} has no output port "${sourceHandle ?? ""}".`;
  if (!into) return `${to.id} has no input port "${targetHandle ?? ""}".`;
  if (!portTypesCompatible(out.type, into.type)) {
    return `${from.id}.${out.name} carries ${out.type} but ${to.id}.${into.name} takes ${into.type}: only equal types or "any" connect.`;
  }
  if (
    definition.edges.some(
      (e) =>
        e.source === source &&
        e.sourcePort === out.name &&
        e.target === target &&
        e.targetPort === into.name,
    )
  ) {
    return "These ports are already connected.";
  }
  if (reaches(definition, target, source)) {
    return `Connecting ${from.id} to ${to.id} would make a cycle: ${to.id} already leads to ${from.id}.`;
  }
  return null;
}

/** Whether `to` is reachable from `from` along edges. */
function reaches(definition: FlowDefinition, from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const edge of definition.edges) {
    const list = next.get(edge.source);
    if (list) list.push(edge.target);
    else next.set(edge.source, [edge.target]);
  }
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === to) return true;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return false;
}
