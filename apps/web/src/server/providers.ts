import "server-only";

import { enabledOAuthProviders } from "@runnel/auth";

import { getAuthEnv } from "./runtime";

export type OAuthProvider = ReturnType<typeof enabledOAuthProviders>[number];

/** The OAuth providers switched on by the environment (both id and secret set). */
export function authProviders(): OAuthProvider[] {
  return enabledOAuthProviders(getAuthEnv());
}
