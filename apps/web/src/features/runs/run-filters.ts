import type { RunStatus } from "./run-state";
import { RUN_STATUSES } from "./run-state";

export const TRIGGER_KINDS = ["manual", "webhook", "schedule", "api", "subflow"] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const TEST_FILTERS = ["all", "only", "hide"] as const;
export type TestFilter = (typeof TEST_FILTERS)[number];

/** The runs page's filters, as kept in its URL (`/runs?flowId=…&status=failed&trigger=webhook&test=hide`). */
export interface RunFilters {
  flowId: string | null;
  status: RunStatus | null;
  trigger: TriggerKind | null;
  test: TestFilter;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
  return value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;
}

/** Reads the filters; unknown values are ignored rather than sent to the API. */
export function parseRunFilters(params: Pick<URLSearchParams, "get">): RunFilters {
  const flowId = params.get("flowId");
  return {
    flowId: flowId && flowId.length <= 100 ? flowId : null,
    status: oneOf(RUN_STATUSES, params.get("status")),
    trigger: oneOf(TRIGGER_KINDS, params.get("trigger")),
    test: oneOf(TEST_FILTERS, params.get("test")) ?? "all",
  };
}

/** The query string for the filters (defaults left out), without the leading "?". */
export function runFiltersQuery(filters: RunFilters): string {
  const params = new URLSearchParams();
  if (filters.flowId) params.set("flowId", filters.flowId);
  if (filters.status) params.set("status", filters.status);
  if (filters.trigger) params.set("trigger", filters.trigger);
  if (filters.test !== "all") params.set("test", filters.test);
  return params.toString();
}

export function hasFilters(filters: RunFilters): boolean {
  return runFiltersQuery(filters) !== "";
}
