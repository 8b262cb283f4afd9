import { FlowDefinition } from "@runnel/engine";
import { respondNode, webhookTrigger } from "@runnel/nodes";

/** What a webhook delivery needs from its published version: the trigger node's config and the Respond nodes. */
export interface HookShape {
  config: ReturnType<typeof webhookTrigger.config.parse>;
  respondNodeIds: Set<string>;
}

/** The webhook trigger `nodeId` of a stored definition, parsed; null when it is not a valid webhook trigger. */
export function hookShapeOf(stored: unknown, nodeId: string): HookShape | null {
  const definition = FlowDefinition.safeParse(stored);
  if (!definition.success) return null;
  const node = definition.data.nodes.find(
    (candidate) => candidate.id === nodeId && candidate.type === webhookTrigger.type,
  );
  const config = webhookTrigger.config.safeParse(node?.config ?? {});
  if (!node || !config.success) return null;
  return {
    config: config.data,
    respondNodeIds: new Set(
      definition.data.nodes.filter((n) => n.type === respondNode.type).map((n) => n.id),
    ),
  };
}

/**
 * Parsed hook shapes per (version, trigger node). Published versions are immutable (the database refuses updates),
 * so an entry never goes stale; the oldest entries are dropped past `limit`.
 */
export function createHookShapeCache(limit = 500) {
  const entries = new Map<string, HookShape | null>();
  return {
    async get(
      versionId: string,
      nodeId: string,
      loadDefinition: () => Promise<unknown>,
    ): Promise<HookShape | null> {
      const key = `${versionId}\u0000${nodeId}`;
      const cached = entries.get(key);
      if (cached !== undefined) return cached;
      const shape = hookShapeOf(await loadDefinition(), nodeId);
      entries.set(key, shape);
      if (entries.size > limit) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return shape;
    },
  };
}
