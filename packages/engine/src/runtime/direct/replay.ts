import type { Database } from "@runnel/db";
import { queryRows, sql } from "@runnel/db";

import type { Fired } from "../flow-run/types";

/**
 * The node outcomes a resumed direct run takes from the run store instead of its journal (docs/executor.md, Direct
 * runs): each node's latest attempt, when it succeeded, as the `Fired` its first step returned (`succeed` wrote that
 * row, output and port, inside the step). A large output is referenced by the step's blob, as `succeed` referenced
 * its own copy.
 */
export async function readStoredOutcomes(db: Database, runId: string): Promise<Map<string, Fired>> {
  const rows = await queryRows<{
    node_id: string;
    status: string;
    port: string | null;
    output: Fired["value"] | null;
    output_blob_id: string | null;
  }>(
    db,
    sql`select distinct on (node_id) node_id, status, port, output, output_blob_id
        from run_steps where run_id = ${runId} order by node_id, attempt desc`,
  );
  const outcomes = new Map<string, Fired>();
  for (const row of rows) {
    if (row.status !== "succeeded" || row.port === null) continue;
    const value = row.output_blob_id
      ? { $runnelBlob: row.output_blob_id, bytes: 0 }
      : (row.output ?? null);
    outcomes.set(row.node_id, { status: "fired", port: row.port, value, stored: true });
  }
  return outcomes;
}
