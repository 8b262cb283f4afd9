import type { JsonValue, NodeContext } from "./context";
import type { NodeDefinition, NodeDirective } from "./define";

/**
 * A NodeContext for unit tests of pure nodes: every outside service refuses, so a test fails loudly
 * if a node that should be pure reaches for the world.
 */
export function pureContext(): NodeContext {
  const refuse = (service: string) => () =>
    Promise.reject(new Error(`${service} is not available to a pure node`));
  return {
    run: {
      runId: "run_test",
      orgId: "org_test",
      flowId: "flow_test",
      nodeId: "node_test",
      attempt: 1,
    },
    http: { fetch: refuse("http"), stream: refuse("http") },
    sandbox: { run: refuse("sandbox") },
    ai: {
      generateTurn: refuse("ai"),
      generateText: refuse("ai"),
      generateObject: refuse("ai"),
      embed: refuse("ai"),
    },
    credentials: { get: refuse("credentials"), resolve: refuse("credentials") },
    log: { log: () => undefined },
    recordUsage: () => undefined,
  };
}

/** Runs a node through its erased entry point, as the engine does. */
export function runPure(
  node: NodeDefinition,
  config: unknown,
  inputs: Record<string, unknown> = {},
  event: JsonValue = null,
): Promise<NodeDirective> {
  return node.run({ config, inputs, ctx: pureContext(), event });
}
