"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, History } from "lucide-react";
import Link from "next/link";
import { useState } from "react";

import {
  Alert,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  EmptyState,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@runnel/ui";

import type { Side } from "./diff-view-model";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/react";
import { comparedPair, sideLabel, toggleSelection } from "./diff-view-model";
import { VersionDiff } from "./version-diff";

/** A flow's published versions, newest first; choose two (or a version and the draft) to compare them. */
export function VersionsView({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const flow = useQuery(trpc.flows.get.queryOptions({ id: flowId }));
  const versions = useQuery(trpc.flows.versions.queryOptions({ id: flowId }));
  const members = useQuery(trpc.orgs.members.queryOptions());
  const [selected, setSelected] = useState<Side[] | null>(null);

  const error = flow.error ?? versions.error;
  if (error) return <Alert variant="danger">{error.message}</Alert>;
  if (!flow.data || !versions.data)
    return <p className="text-sm text-fg-muted">Loading versions…</p>;

  const list = versions.data;
  // By default the two newest versions are compared (or the only version with the draft); older first, so a
  // third tick (the draft, say) keeps the newest version.
  const chosen =
    selected ??
    (list.length >= 2
      ? list
          .slice(0, 2)
          .map((v) => v.number)
          .reverse()
      : list[0]
        ? [list[0].number, "draft" as const]
        : []);
  const pair = comparedPair(chosen);
  const authorName = (authorId: string | null) => {
    if (authorId === null) return "API key or CLI";
    const member = members.data?.members.find((m) => m.userId === authorId);
    return member ? member.name || member.email : "Former member";
  };
  const toggle = (side: Side) => setSelected(toggleSelection(chosen, side));

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-col gap-1">
          <h1 className="text-2xl font-semibold">Versions of {flow.data.name}</h1>
          <p className="text-sm text-fg-muted">
            Published versions never change. Choose two to see what changed between them.
          </p>
        </div>
        <Button variant="secondary" asChild>
          <Link href={`/flows/${flowId}`}>
            <ArrowLeft aria-hidden="true" />
            Back to the editor
          </Link>
        </Button>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>History</CardTitle>
          <CardDescription>
            {pair
              ? `Comparing ${sideLabel(pair.from)} with ${sideLabel(pair.to).toLowerCase()}.`
              : "Select two rows to compare."}
          </CardDescription>
        </CardHeader>
        <CardContent>
          {list.length === 0 ? (
            <EmptyState
              icon={History}
              title="Nothing published yet"
              description="Publish the flow from the editor to create version 1."
            />
          ) : (
            <Table>
              <TableCaption>Versions of {flow.data.name}, newest first</TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>
                    <span className="sr-only">Compare</span>
                  </TableHead>
                  <TableHead>Version</TableHead>
                  <TableHead>Message</TableHead>
                  <TableHead>Author</TableHead>
                  <TableHead>Published</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                <TableRow data-testid="version-draft">
                  <TableCell>
                    <input
                      type="checkbox"
                      className="size-4 accent-[var(--color-primary)]"
                      aria-label="Compare the draft"
                      checked={chosen.includes("draft")}
                      onChange={() => toggle("draft")}
                    />
                  </TableCell>
                  <TableCell className="font-medium">Draft</TableCell>
                  <TableCell className="text-fg-muted">Unpublished changes</TableCell>
                  <TableCell>—</TableCell>
                  <TableCell>{formatDateTime(flow.data.draftUpdatedAt)}</TableCell>
                </TableRow>
                {list.map((version) => (
                  <TableRow key={version.id} data-testid={`version-${version.number}`}>
                    <TableCell>
                      <input
                        type="checkbox"
                        className="size-4 accent-[var(--color-primary)]"
                        aria-label={`Compare version ${version.number}`}
                        checked={chosen.includes(version.number)}
                        onChange={() => toggle(version.number)}
                      />
                    </TableCell>
                    <TableCell className="font-medium">v{version.number}</TableCell>
                    <TableCell>
                      {version.message || <span className="text-fg-muted">No message</span>}
                    </TableCell>
                    <TableCell>{authorName(version.authorId)}</TableCell>
                    <TableCell>{formatDateTime(version.createdAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      {pair ? <VersionDiff flowId={flowId} from={pair.from} to={pair.to} /> : null}
    </div>
  );
}
