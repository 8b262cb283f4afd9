export * from "./approvals";
export * from "./errors";
export * from "./event-types";
export * from "./events";
export * from "./run-store";
export * from "./store";
export * from "./values";
