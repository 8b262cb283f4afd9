import type { RouterOutputs } from "@runnel/api";

export type Role = RouterOutputs["me"]["get"]["activeOrg"]["role"];

/** Lowest to highest, as the API orders them. */
export const ROLES = ["viewer", "editor", "admin", "owner"] as const satisfies readonly Role[];

export function atLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}
