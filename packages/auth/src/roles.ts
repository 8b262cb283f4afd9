import type { Role } from "@runnel/db/schema";
import { ROLES } from "@runnel/db/schema";

export { ROLES };
export type { Role };

/** viewer < editor < admin < owner */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function hasRole(actual: Role, minimum: Role): boolean {
  return roleRank(actual) >= roleRank(minimum);
}
