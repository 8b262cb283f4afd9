"use client";

import { AlertTriangle, CheckCircle2 } from "lucide-react";
import { memo, useId } from "react";

import type { FlowProblem } from "./types";
import { problemPath } from "./problems";

/** The compiler's problems of the draft; a problem of a node selects that node. */
export const ProblemsPanel = memo(function ProblemsPanel({
  problems,
  checked,
  onSelect,
}: {
  problems: readonly FlowProblem[];
  /** False until the draft has been compiled once. */
  checked: boolean;
  onSelect: (nodeId: string) => void;
}) {
  const headingId = useId();
  return (
    <section role="region" aria-labelledby={headingId} className="flex min-h-0 flex-col gap-2">
      <h2 id={headingId} className="flex items-center gap-2 text-sm font-semibold">
        Problems
        <span className="rounded-full bg-surface-muted px-2 text-xs font-medium text-fg-muted">
          {problems.length}
        </span>
      </h2>
      {!checked ? (
        <p className="text-sm text-fg-muted">Checking…</p>
      ) : problems.length === 0 ? (
        <p className="flex items-center gap-1.5 text-sm text-success">
          <CheckCircle2 aria-hidden="true" className="size-4" />
          No problems: the draft is ready to publish.
        </p>
      ) : (
        <ul className="flex min-h-0 flex-col gap-1 overflow-y-auto">
          {problems.map((problem, i) => {
            const text = (
              <>
                <AlertTriangle
                  aria-hidden="true"
                  className="mt-0.5 size-3.5 shrink-0 text-danger"
                />
                <span className="min-w-0">
                  <span className="font-mono text-xs">{problem.nodeId ?? "flow"}</span>{" "}
                  <span className="font-mono text-xs text-fg-muted">{problemPath(problem)}</span>
                  <span className="block">{problem.message}</span>
                </span>
              </>
            );
            return (
              <li key={`${problemPath(problem)}:${problem.code}:${i}`}>
                {problem.nodeId ? (
                  <button
                    type="button"
                    onClick={() => problem.nodeId && onSelect(problem.nodeId)}
                    className="flex w-full items-start gap-2 rounded-md px-2 py-1 text-left text-sm hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-ring"
                  >
                    {text}
                  </button>
                ) : (
                  <div className="flex items-start gap-2 px-2 py-1 text-sm">{text}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
});
