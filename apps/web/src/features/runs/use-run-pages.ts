"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

import type { RouterInputs, RouterOutputs } from "@runnel/api";

import { useTRPC } from "~/trpc/react";
import { isTerminal } from "./run-state";

export type RunRow = RouterOutputs["runs"]["list"]["items"][number];
type ListInput = Omit<RouterInputs["runs"]["list"], "cursor" | "direction">;

/** The loaded pages are read again this often while one lists an unfinished run, else at the slower pace. */
const LIVE_REFRESH_MS = 2_000;
/** The idle pace, so new runs appear on the first page. */
const IDLE_REFRESH_MS = 5_000;

/**
 * The runs of `runs.list` page by page, as one infinite query ("Load more" fetches the page after the last one's
 * `nextCursor`). Changing the filters changes the query, so the list starts again from the first page. A refresh
 * reads every loaded page again in order, each after the fresh cursor of the one before. A run that moved to a
 * later page meanwhile is listed once.
 */
export function useRunPages(input: ListInput) {
  const trpc = useTRPC();
  const query = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor,
      refetchInterval: (current) =>
        current.state.data?.pages.some((page) => page.items.some((run) => !isTerminal(run.status)))
          ? LIVE_REFRESH_MS
          : IDLE_REFRESH_MS,
    }),
  );

  const seen = new Set<string>();
  const rows: RunRow[] = [];
  for (const page of query.data?.pages ?? []) {
    for (const run of page.items) {
      if (seen.has(run.id)) continue;
      seen.add(run.id);
      rows.push(run);
    }
  }
  return {
    rows,
    error: query.error,
    isPending: query.isPending,
    hasMore: query.hasNextPage,
    loadingMore: query.isFetchingNextPage,
    loadMore: () => {
      if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
    },
  };
}
