import type { RouterInputs, RouterOutputs, RunnelClient } from "@runnel/client";

/**
 * What another TypeScript app writes against @runnel/client: only the exported types (no hand-written DTOs).
 * `pnpm --filter @runnel/client-test typecheck` compiles this file with tsc.
 */
export type FlowDefinitionInput = RouterInputs["flows"]["saveDraft"]["definition"];

export interface Shipped {
  flow: RouterOutputs["flows"]["create"];
  problems: RouterOutputs["flows"]["validate"]["problems"];
  version: RouterOutputs["flows"]["publish"] | null;
}

/** Creates a flow, saves its draft, validates it and publishes it when it compiles. */
export async function shipFlow(
  client: RunnelClient,
  name: string,
  definition: FlowDefinitionInput,
): Promise<Shipped> {
  const flow = await client.flows.create.mutate({ name });
  await client.flows.saveDraft.mutate({ id: flow.id, definition });
  const { ok, problems } = await client.flows.validate.query({ id: flow.id });
  const version = ok
    ? await client.flows.publish.mutate({ id: flow.id, message: `shipped by ${name}` })
    : null;
  return { flow, problems, version };
}

/** Node types by category, as a palette would group them. */
export async function palette(client: RunnelClient): Promise<Record<string, string[]>> {
  const entries: RouterOutputs["nodes"]["catalogue"] = await client.nodes.catalogue.query();
  const groups: Record<string, string[]> = {};
  for (const entry of entries) (groups[entry.ui.category] ??= []).push(entry.type);
  return groups;
}
