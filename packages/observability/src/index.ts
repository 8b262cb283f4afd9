export * from "./env";
export * from "./log-context";
export * from "./logger";
export * from "./metrics";
export * from "./redact";
export * from "./request-id";
export * from "./run-event";
export * from "./run-observer";
