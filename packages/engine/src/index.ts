export * from "./runs";
export * from "./events";
export * from "./flow/definition";
export * from "./flow/contract";
export { listAvailableFlows } from "./flow/available";
export * from "./expressions";
export * from "./compiler";
export * from "./runtime";
