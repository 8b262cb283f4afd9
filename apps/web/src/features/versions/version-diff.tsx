"use client";

import { useQuery } from "@tanstack/react-query";

import { Alert, Badge, Card, CardContent, CardHeader, CardTitle } from "@runnel/ui";

import type { ChangeLine, Side } from "./diff-view-model";
import { FlowCanvas } from "~/features/editor/flow-canvas";
import { useTRPC } from "~/trpc/react";
import { changeLines, highlightMap, sideLabel } from "./diff-view-model";

const BADGE: Record<
  ChangeLine["kind"],
  { label: string; variant: "success" | "danger" | "neutral" | "primary" }
> = {
  added: { label: "added", variant: "success" },
  removed: { label: "removed", variant: "danger" },
  changed: { label: "changed", variant: "primary" },
  moved: { label: "moved", variant: "neutral" },
  connected: { label: "connected", variant: "success" },
  disconnected: { label: "disconnected", variant: "danger" },
  variable: { label: "variable", variant: "primary" },
};

/** The definition of one side: a published version, or the draft. */
function useDefinition(flowId: string, side: Side) {
  const trpc = useTRPC();
  const version = useQuery(
    trpc.flows.version.queryOptions(
      { id: flowId, number: side === "draft" ? 1 : side },
      { enabled: side !== "draft" },
    ),
  );
  const flow = useQuery(trpc.flows.get.queryOptions({ id: flowId }, { enabled: side === "draft" }));
  return side === "draft"
    ? { definition: flow.data?.draft, error: flow.error }
    : { definition: version.data?.definition, error: version.error };
}

/**
 * Two read-only canvases side by side (removed and changed nodes marked on the older one, added and changed on the
 * newer one) and the list of changes with their config paths.
 */
export function VersionDiff({ flowId, from, to }: { flowId: string; from: Side; to: Side }) {
  const trpc = useTRPC();
  const diff = useQuery(trpc.flows.diff.queryOptions({ id: flowId, from, to }));
  const catalogue = useQuery(trpc.nodes.catalogue.queryOptions());
  const before = useDefinition(flowId, from);
  const after = useDefinition(flowId, to);

  const error = diff.error ?? catalogue.error ?? before.error ?? after.error;
  if (error) return <Alert variant="danger">{error.message}</Alert>;
  if (!diff.data || !catalogue.data || !before.definition || !after.definition)
    return <p className="text-sm text-fg-muted">Loading the comparison…</p>;

  const lines = changeLines(diff.data);
  const sides = [
    { side: from, definition: before.definition, highlight: highlightMap(diff.data, "from") },
    { side: to, definition: after.definition, highlight: highlightMap(diff.data, "to") },
  ];

  return (
    <div className="flex flex-col gap-4">
      <div className="grid gap-4 lg:grid-cols-2">
        {sides.map(({ side, definition, highlight }) => (
          <section
            key={String(side)}
            aria-label={sideLabel(side)}
            className="flex flex-col gap-2"
            data-side={side === from ? "from" : "to"}
          >
            <h2 className="text-sm font-semibold">{sideLabel(side)}</h2>
            <div className="h-96 overflow-hidden rounded-md border border-border">
              <FlowCanvas
                definition={definition}
                catalogue={catalogue.data}
                readOnly
                nodeHighlight={highlight}
                aria-label={`${sideLabel(side)} graph`}
              />
            </div>
          </section>
        ))}
      </div>
      <Card>
        <CardHeader>
          <CardTitle>
            Changes from {sideLabel(from).toLowerCase()} to {sideLabel(to).toLowerCase()}
          </CardTitle>
        </CardHeader>
        <CardContent>
          <section aria-label="Changes">
            {lines.length === 0 ? (
              <p className="text-sm text-fg-muted">No differences.</p>
            ) : (
              <ul className="flex flex-col gap-1.5 text-sm">
                {lines.map((line, index) => (
                  <li key={index} className="flex items-start gap-2" data-kind={line.kind}>
                    <Badge variant={BADGE[line.kind].variant} className="shrink-0">
                      {BADGE[line.kind].label}
                    </Badge>
                    <span className="font-mono text-[13px] break-all">{line.text}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </CardContent>
      </Card>
    </div>
  );
}
