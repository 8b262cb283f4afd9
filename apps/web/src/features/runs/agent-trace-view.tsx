"use client";

import type { AgentStep } from "@runnel/nodes";
import { Badge } from "@runnel/ui";

import { approvalLabel } from "./agent-trace";
import { formatCost, formatDuration, formatTokens } from "./format";
import { JsonBlock } from "./json-block";

type ModelStep = Extract<AgentStep, { kind: "model" }>;
type ToolStep = Extract<AgentStep, { kind: "tool" }>;

function Facts({ items }: { items: (string | null)[] }) {
  return <p className="text-xs text-fg-muted tabular-nums">{items.filter(Boolean).join(" · ")}</p>;
}

function ModelCall({ step, nodeName }: { step: ModelStep; nodeName: string }) {
  return (
    <>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">Model call</span>
        <Badge variant="neutral">{step.finishReason}</Badge>
      </div>
      <Facts
        items={[
          formatDuration(step.latencyMs),
          formatTokens(step.usage.inputTokens, step.usage.outputTokens),
          step.usage.costUsd === null ? null : formatCost(step.usage.costUsd),
        ]}
      />
      {step.text ? <p className="text-sm whitespace-pre-wrap">{step.text}</p> : null}
      {(step.toolCalls ?? []).map((call) => (
        <div key={call.id} className="flex flex-col gap-1">
          <p className="text-xs">
            Calls <code className="font-mono">{call.name}</code> with
          </p>
          <JsonBlock
            label={`Arguments ${nodeName} step ${step.index + 1} asked for ${call.name}`}
            value={call.arguments}
          />
        </div>
      ))}
    </>
  );
}

function ToolCall({ step, nodeName }: { step: ToolStep; nodeName: string }) {
  const label = `${nodeName} step ${step.index + 1}`;
  return (
    <>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">
          Tool <code className="font-mono">{step.tool}</code>
        </span>
        {step.error ? <Badge variant="danger">error</Badge> : null}
        {step.approval ? (
          <Badge variant={step.approval.decision === "approved" ? "success" : "warning"}>
            {approvalLabel(step.approval)}
          </Badge>
        ) : null}
      </div>
      <Facts items={[formatDuration(step.latencyMs)]} />
      <JsonBlock label={`Arguments of ${label}`} value={step.arguments} />
      {step.error ? (
        <p className="text-sm text-danger">{step.error}</p>
      ) : (
        <JsonBlock label={`Result of ${label}`} value={step.result} empty="No result" />
      )}
    </>
  );
}

/**
 * An agent node's trace (its output's `steps`): each model call with its text, the tool calls it asked for, tokens,
 * cost and latency; each tool call with its arguments, its result or error, latency and approval decision.
 */
export function AgentTraceView({ steps, nodeName }: { steps: AgentStep[]; nodeName: string }) {
  if (steps.length === 0) return <p className="text-sm text-fg-muted">No steps.</p>;
  return (
    <ol className="flex flex-col gap-2" aria-label={`Trace of ${nodeName}`}>
      {steps.map((step) => (
        <li
          key={step.index}
          className="flex flex-col gap-1.5 rounded-md border border-border p-2"
          aria-label={`Step ${step.index + 1}: ${step.kind === "model" ? "model call" : `tool ${step.tool}`}`}
        >
          {step.kind === "model" ? (
            <ModelCall step={step} nodeName={nodeName} />
          ) : (
            <ToolCall step={step} nodeName={nodeName} />
          )}
        </li>
      ))}
    </ol>
  );
}
