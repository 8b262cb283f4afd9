"use client";

import type { Node, NodeProps } from "@xyflow/react";
import { Handle, Position } from "@xyflow/react";
import { AlertTriangle } from "lucide-react";
import { memo } from "react";

import type { CatalogueEntry } from "@runnel/nodes";
import { cn } from "@runnel/ui";

import type { NodePorts } from "./catalogue-index";
import type { FlowNode, NodeHighlight, NodeStatus } from "./types";
import { NodeIcon } from "./node-icon";

export type FlowNodeData = {
  node: FlowNode;
  entry: CatalogueEntry | undefined;
  ports: NodePorts;
  status: NodeStatus | undefined;
  highlight: NodeHighlight | undefined;
  problems: readonly string[] | undefined;
};

export type CanvasNode = Node<FlowNodeData, "runnel">;

const STATUS_CLASS: Record<NodeStatus, string> = {
  pending: "",
  running: "ring-2 ring-primary ring-offset-2 ring-offset-surface animate-pulse",
  succeeded: "border-success ring-1 ring-success",
  failed: "border-danger ring-2 ring-danger",
  skipped: "opacity-50 border-dashed",
  waiting: "border-warning ring-2 ring-warning",
};

const STATUS_LABEL: Record<NodeStatus, string> = {
  pending: "Pending",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped",
  waiting: "Waiting",
};

const HIGHLIGHT_CLASS: Record<NodeHighlight, string> = {
  added: "border-success ring-2 ring-success bg-success-soft",
  removed: "border-danger border-dashed opacity-70 bg-danger-soft",
  changed: "border-warning ring-2 ring-warning bg-warning-soft",
};

const ROW_HEIGHT = 22;

/*
 * Nothing in a node clips (no `truncate`: names wrap) and its icon does not clip either: every clip and transform
 * inside a node is one more compositor property node, and with hundreds of nodes each pan frame pays for all of
 * them (bench/canvas.ts). Handles are centred without a transform for the same reason (canvas-performance.css).
 */

function FlowNodeView({ data, selected }: NodeProps<CanvasNode>) {
  const { node, entry, ports, status, highlight, problems } = data;
  const rows = Math.max(ports.inputs.length, ports.outputs.length);
  const problemCount = problems?.length ?? 0;
  return (
    <div
      className={cn(
        "w-60 rounded-lg border border-border bg-surface text-fg shadow-sm",
        status && STATUS_CLASS[status],
        highlight && HIGHLIGHT_CLASS[highlight],
        problemCount > 0 && !status && "border-danger ring-2 ring-danger/60",
        selected && "outline-2 outline-offset-2 outline-primary",
      )}
    >
      <div className="flex items-center gap-2 border-b border-border px-3 py-2">
        <NodeIcon
          name={entry?.ui.icon}
          className="size-4 shrink-0 overflow-visible text-fg-muted"
        />
        <div className="min-w-0 flex-1">
          <div className="text-sm font-medium wrap-anywhere">{node.name}</div>
          <div className="font-mono text-xs break-all text-fg-muted">{node.id}</div>
        </div>
        {problemCount > 0 ? (
          <span
            className="inline-flex items-center gap-0.5 rounded-full bg-danger-soft px-1.5 text-xs font-medium text-danger"
            title={problems?.join("\n")}
          >
            <AlertTriangle aria-hidden="true" className="size-3" />
            {problemCount}
            <span className="sr-only"> problem{problemCount === 1 ? "" : "s"}</span>
          </span>
        ) : null}
        {status && status !== "pending" ? (
          <span className="text-xs text-fg-muted">{STATUS_LABEL[status]}</span>
        ) : null}
      </div>
      {entry ? null : (
        <div className="px-3 pt-1 text-xs text-danger">
          Unknown type {node.type}@{node.version}
        </div>
      )}
      <div className="py-1" style={{ minHeight: rows * ROW_HEIGHT }}>
        {Array.from({ length: rows }, (_, i) => {
          const input = ports.inputs[i];
          const output = ports.outputs[i];
          return (
            <div
              key={i}
              className="relative flex items-center justify-between px-3 text-xs text-fg-muted"
              style={{ height: ROW_HEIGHT }}
            >
              <span className={cn("whitespace-nowrap", input?.undeclared && "text-danger")}>
                {input ? (
                  <>
                    <Handle
                      type="target"
                      position={Position.Left}
                      id={input.name}
                      title={`Input ${input.label} (${input.type}${input.required ? ", required" : ""}${input.multiple ? ", many" : ""})`}
                      data-port-type={input.type}
                    />
                    {input.label}
                  </>
                ) : null}
              </span>
              <span className={cn("whitespace-nowrap", output?.undeclared && "text-danger")}>
                {output ? (
                  <>
                    {output.label}
                    <Handle
                      type="source"
                      position={Position.Right}
                      id={output.name}
                      title={`Output ${output.label} (${output.type})`}
                      data-port-type={output.type}
                    />
                  </>
                ) : null}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

export const FlowNodeComponent = memo(FlowNodeView);
