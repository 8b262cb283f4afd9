export * from "./auth";
export * from "./orgs";
export * from "./api-keys";
export * from "./credentials";
export * from "./audit";
export * from "./flows";
export * from "./runs";
export * from "./idempotency";
