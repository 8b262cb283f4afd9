import { auditLog } from "@runnel/db/schema";

import type { DbOrTx } from "./db";

export const AUDIT_ACTIONS = [
  "auth.sign_up",
  "auth.sign_in",
  "auth.password_changed",
  "auth.sessions_ended",
  "org.created",
  "org.renamed",
  "membership.invited",
  "membership.invite_revoked",
  "membership.joined",
  "membership.role_changed",
  "membership.removed",
  "api_key.created",
  "api_key.revoked",
  "credential.created",
  "credential.updated",
  "credential.deleted",
  "flow.created",
  "flow.imported",
  "flow.duplicated",
  "flow.draft_saved",
  "flow.published",
  "flow.deleted",
  "deployment.published",
  "deployment.unpublished",
  "deployment.mcp_changed",
  "trigger.secret_rotated",
  "trigger.schedule_created",
  "trigger.schedule_updated",
  "run.started",
  "run.cancelled",
  "approval.decided",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  action: AuditAction;
  orgId?: string | null;
  actorUserId?: string | null;
  actorApiKeyId?: string | null;
  targetType?: string;
  targetId?: string;
  /** Never secrets: names, roles, providers. */
  metadata?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
}

/** Appends one audit_log row; call it inside the mutation's transaction so both commit or neither. */
export async function writeAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    action: entry.action,
    orgId: entry.orgId ?? null,
    actorUserId: entry.actorUserId ?? null,
    actorApiKeyId: entry.actorApiKeyId ?? null,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    metadata: entry.metadata ?? {},
    ip: entry.ip ?? null,
    requestId: entry.requestId ?? null,
  });
}
