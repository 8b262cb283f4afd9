export * from "./runs";
export * from "./events";
export * from "./flow/definition";
export * from "./expressions";
export * from "./compiler";
export * from "./runtime";
