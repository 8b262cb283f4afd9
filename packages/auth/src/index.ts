export {
  API_KEY_PREFIX,
  bearerToken,
  generateApiKey,
  isApiKeyFormat,
  revokeApiKeysCreatedBy,
  verifyApiKey,
} from "./api-keys";
export type { GeneratedApiKey, VerifiedApiKey } from "./api-keys";
export { AUDIT_ACTIONS, writeAudit } from "./audit";
export type { AuditAction, AuditEntry } from "./audit";
export {
  buildAuthConfig,
  createAuth,
  DEFAULT_SIGN_IN_IP_LIMIT,
  DEFAULT_SIGN_IN_LIMIT,
  enabledOAuthProviders,
  sessionUserOf,
  SignInRateLimited,
} from "./config";
export type { CreateAuthOptions, SignInEvent } from "./config";
export { isUniqueViolation } from "./db";
export type { DbOrTx, Transaction } from "./db";
export { authEnv } from "./env";
export type { AuthEnv } from "./env";
export { createSmtpMailer, inviteMail } from "./mailer";
export type { Mailer, MailMessage } from "./mailer";
export {
  createOrgWithOwner,
  getMembershipRole,
  listUserOrgs,
  personalOrgName,
  resolveActiveOrg,
  slugify,
  uniqueOrgSlug,
} from "./orgs";
export type { CreateOrgInput, OrgWithRole } from "./orgs";
export { hashPassword, verifyPassword } from "./password";
export { createRateLimiter } from "./rate-limit";
export type { RateLimiter } from "./rate-limit";
export { hasRole, roleRank, ROLES } from "./roles";
export type { Role } from "./roles";
export { loadServerSecrets, SECRETS_FILE } from "./secrets";
export type { LoadServerSecretsOptions, ServerSecrets } from "./secrets";
export {
  createSession,
  isSessionLive,
  revokeSession,
  revokeUserSessions,
  SESSION_MAX_AGE_MS,
  SESSION_UPDATE_AGE_MS,
} from "./sessions";
export { generateToken, sha256Hex } from "./tokens";
export {
  authorizeCredentials,
  changePassword,
  EmailTakenError,
  findUserByEmail,
  normalizeEmail,
  registerUser,
  WrongPasswordError,
} from "./users";
export type { AuthorizedUser, ChangePasswordInput, RegisterUserInput } from "./users";
