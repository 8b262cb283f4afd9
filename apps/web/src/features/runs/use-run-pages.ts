"use client";

import { useQueries } from "@tanstack/react-query";
import { useState } from "react";

import type { RouterInputs, RouterOutputs } from "@runnel/api";

import { useTRPC } from "~/trpc/react";
import { isTerminal } from "./run-state";

export type RunRow = RouterOutputs["runs"]["list"]["items"][number];
type ListInput = Omit<RouterInputs["runs"]["list"], "cursor">;

/** Pages with unfinished runs refresh this often; the first page also does, so new runs appear. */
const LIVE_REFRESH_MS = 2_000;
const FIRST_PAGE_REFRESH_MS = 5_000;

/**
 * The runs of `runs.list` page by page ("Load more" adds the page after the last one's cursor). Each page is its
 * own query, so only the pages that hold unfinished runs are read again. Going back to the first page when the
 * filters change. A run that moved to a later page while the first one refreshed is listed once.
 */
export function useRunPages(input: ListInput) {
  const trpc = useTRPC();
  const key = JSON.stringify(input);
  const [loaded, setLoaded] = useState<{ key: string; cursors: string[] }>({ key, cursors: [] });
  const cursors = loaded.key === key ? loaded.cursors : [];

  const pages = useQueries({
    queries: [null, ...cursors].map((cursor) =>
      trpc.runs.list.queryOptions(cursor ? { ...input, cursor } : input, {
        refetchInterval: (query) =>
          query.state.data?.items.some((run) => !isTerminal(run.status))
            ? LIVE_REFRESH_MS
            : cursor === null
              ? FIRST_PAGE_REFRESH_MS
              : false,
      }),
    ),
  });

  const seen = new Set<string>();
  const rows: RunRow[] = [];
  for (const page of pages) {
    for (const run of page.data?.items ?? []) {
      if (seen.has(run.id)) continue;
      seen.add(run.id);
      rows.push(run);
    }
  }
  const last = pages.at(-1);
  const nextCursor = last?.data?.nextCursor ?? null;
  return {
    rows,
    error: pages.find((p) => p.error)?.error ?? null,
    isPending: pages[0]?.isPending ?? true,
    hasMore: nextCursor !== null,
    loadingMore: pages.length > 1 && !!last?.isPending,
    loadMore: () => {
      if (nextCursor) setLoaded({ key, cursors: [...cursors, nextCursor] });
    },
  };
}
