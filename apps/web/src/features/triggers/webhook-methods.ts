/** The accepted HTTP methods of each webhook trigger node in a version's definition (node id → methods). */
export function webhookMethods(definition: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (definition === null || typeof definition !== "object" || !("nodes" in definition)) return out;
  const { nodes } = definition;
  if (!Array.isArray(nodes)) return out;
  for (const node of nodes as unknown[]) {
    if (node === null || typeof node !== "object") continue;
    const { id, type, config } = node as { id?: unknown; type?: unknown; config?: unknown };
    if (typeof id !== "string" || type !== "webhook_trigger") continue;
    const methods =
      config !== null && typeof config === "object" && "methods" in config ? config.methods : null;
    out[id] = Array.isArray(methods)
      ? methods.filter((m): m is string => typeof m === "string")
      : ["POST"];
  }
  return out;
}
