import type { AgentTool, AiToolDeclaration, JsonValue } from "@runnel/nodes";

import type { PlanNode } from "../../../../../compiler";
import type { RunContext } from "../../../context";

/** A tool as the agent's loop uses it, fixed in the node's first step (so every replay sees the same one). */
export interface PreparedTool {
  /** What the model is told: name, description, JSON Schema of the arguments. */
  declaration: AiToolDeclaration;
  tool: AgentTool;
  /** Flow tools: the published version the calls run (the latest when the agent started). */
  flow?: { versionId: string; triggerNodeId: string | null };
}

/** One call of a tool, with the arguments already checked against the tool's parameters. */
export interface ToolCall {
  id: string;
  /** The durable step id of this call: `<node>:agent:<i>:tool:<toolCallId>`; its helper steps extend it. */
  stepId: string;
  arguments: Record<string, JsonValue>;
}

/** What goes back to the model: the tool's result, or an error it can act on. */
export type ToolOutcome =
  { result: JsonValue; latencyMs: number } | { error: string; latencyMs: number };

/** A kind of tool (docs/ai.md, Agents): how it is declared to the model and how one call runs durably. */
export interface ToolKind<T extends AgentTool> {
  /** Inside the node's first step: resolves what the tool needs (a flow's version and input schema). */
  prepare(context: RunContext, tool: T): Promise<PreparedTool>;
  /** Runs one call as durable step(s) whose ids start with `call.stepId`; a failure is an outcome, not a throw. */
  run(
    context: RunContext,
    node: PlanNode,
    prepared: PreparedTool & { tool: T },
    call: ToolCall,
  ): Promise<ToolOutcome>;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
