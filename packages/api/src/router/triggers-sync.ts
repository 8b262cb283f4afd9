import { randomBytes } from "node:crypto";
import { Cron } from "croner";

import type { DbOrTx } from "@runnel/auth";
import type { FlowDefinition } from "@runnel/engine";
import { and, eq } from "@runnel/db";
import { triggers } from "@runnel/db/schema";
import { isTimeZone } from "@runnel/nodes";

import { fieldError } from "../trpc";

/** Random public id of a webhook URL (`/api/hooks/{hookId}`): 24 URL-safe characters, 144 bits. */
export function newHookId(): string {
  return randomBytes(18).toString("base64url");
}

/**
 * The next time a cron expression fires after `from`, read in an IANA time zone (croner, like the scheduler).
 * Throws BAD_REQUEST with a field error on `cron` or `timezone` when either is not valid or it never fires.
 */
export function nextRunAt(cron: string, timezone: string, from: Date = new Date()): Date {
  if (!isTimeZone(timezone)) {
    throw fieldError(
      ["timezone"],
      `"${timezone}" is not a known IANA time zone (e.g. Europe/Berlin)`,
    );
  }
  let next: Date | null;
  try {
    next = new Cron(cron, { paused: true, timezone }).nextRun(from);
  } catch (error) {
    throw fieldError(
      ["cron"],
      `"${cron}" is not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (next === null)
    throw fieldError(["cron"], `"${cron}" never fires after ${from.toISOString()}`);
  return next;
}

/**
 * Brings a flow's trigger rows in line with a newly published definition. Each webhook trigger node has one
 * webhook row (its hook id is kept across versions); each schedule trigger node owns one schedule row whose cron and
 * time zone follow the node's config. Rows of nodes that are gone are disabled; schedules added through the API
 * (no node) stay as they are while the flow has a schedule trigger, and are disabled when it has none.
 */
export async function syncTriggers(
  tx: DbOrTx,
  target: { orgId: string; flowId: string; definition: FlowDefinition },
): Promise<void> {
  const now = new Date();
  const existing = await tx
    .select()
    .from(triggers)
    .where(and(eq(triggers.orgId, target.orgId), eq(triggers.flowId, target.flowId)));
  const kept = new Set<string>();
  for (const node of target.definition.nodes) {
    if (node.type === "webhook_trigger") {
      const row = existing.find((t) => t.kind === "webhook" && t.nodeId === node.id);
      if (row) {
        kept.add(row.id);
        if (!row.enabled) {
          await tx
            .update(triggers)
            .set({ enabled: true, updatedAt: now })
            .where(eq(triggers.id, row.id));
        }
      } else {
        await tx.insert(triggers).values({
          orgId: target.orgId,
          flowId: target.flowId,
          nodeId: node.id,
          kind: "webhook",
          hookId: newHookId(),
        });
      }
    } else if (node.type === "schedule_trigger") {
      const cron = typeof node.config.cron === "string" ? node.config.cron : "";
      const timezone = typeof node.config.timezone === "string" ? node.config.timezone : "UTC";
      const row = existing.find((t) => t.kind === "schedule" && t.nodeId === node.id);
      if (row) {
        kept.add(row.id);
        const changed = row.cron !== cron || row.timezone !== timezone || !row.enabled;
        if (changed) {
          await tx
            .update(triggers)
            .set({
              cron,
              timezone,
              enabled: true,
              nextRunAt: nextRunAt(cron, timezone, now),
              updatedAt: now,
            })
            .where(eq(triggers.id, row.id));
        }
      } else {
        await tx.insert(triggers).values({
          orgId: target.orgId,
          flowId: target.flowId,
          nodeId: node.id,
          kind: "schedule",
          cron,
          timezone,
          nextRunAt: nextRunAt(cron, timezone, now),
        });
      }
    }
  }
  const hasSchedule = target.definition.nodes.some((node) => node.type === "schedule_trigger");
  for (const row of existing) {
    if (kept.has(row.id) || !row.enabled) continue;
    if (row.nodeId === null && (row.kind !== "schedule" || hasSchedule)) continue;
    await tx
      .update(triggers)
      .set({ enabled: false, nextRunAt: null, updatedAt: now })
      .where(eq(triggers.id, row.id));
  }
}
