import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";

import { FlowDefinition } from "./definition";
import { FLOW_SCHEMA_FILE, flowSchemaText } from "./schema-file";

describe("FlowDefinition", () => {
  it("accepts a flow and fills in defaults", () => {
    const flow = FlowDefinition.parse({
      nodes: [{ id: "start", type: "manual_trigger", version: 1, name: "Start" }],
      edges: [],
    });
    expect(flow).toEqual({
      nodes: [
        {
          id: "start",
          type: "manual_trigger",
          version: 1,
          name: "Start",
          config: {},
          position: { x: 0, y: 0 },
          settings: { retries: 0, timeoutMs: 300_000, onError: "fail" },
        },
      ],
      edges: [],
      vars: {},
    });
  });

  it("refuses ids that are not human-readable identifiers and bad settings, with paths", () => {
    const result = FlowDefinition.safeParse({
      nodes: [
        {
          id: "Fetch Page",
          type: "set",
          version: 1,
          name: "x",
          settings: { onError: "explode", retries: -1 },
        },
      ],
      edges: [{ id: "e1", source: "a", sourcePort: "out", target: "9b", targetPort: "in" }],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join(".")).sort();
    expect(paths).toEqual([
      "edges.0.target",
      "nodes.0.id",
      "nodes.0.settings.onError",
      "nodes.0.settings.retries",
    ]);
  });

  it("keeps config and variables as sent, __proto__ keys included, and still names bad values", () => {
    const sent = JSON.parse(`{
      "nodes": [{ "id": "a", "type": "set", "version": 1, "name": "A",
                  "config": { "__proto__": { "polluted": true }, "deep": { "constructor": { "__proto__": 1 } } } }],
      "edges": [],
      "vars": { "__proto__": "v", "prototype": { "__proto__": [] } }
    }`) as { nodes: [{ config: object }]; vars: object };
    const flow = FlowDefinition.parse(sent);
    expect(flow.nodes[0]?.config).toBe(sent.nodes[0].config);
    expect(flow.vars).toBe(sent.vars);
    expect(Object.hasOwn(flow.nodes[0]?.config ?? {}, "__proto__")).toBe(true);
    expect(Reflect.get(Object.prototype, "polluted")).toBeUndefined();

    const bad = FlowDefinition.safeParse({
      nodes: [
        { id: "a", type: "set", version: 1, name: "A", config: { x: [1, { y: Number.NaN }] } },
      ],
      edges: [],
      vars: { "not a name": 1, ok: () => 1 },
    });
    expect(bad.error?.issues.map((issue) => issue.path.join(".")).sort()).toEqual([
      "nodes.0.config.x",
      "vars.not a name",
      "vars.ok",
    ]);
  });

  it("is published, up to date, as docs/flow.schema.json", () => {
    const committed: unknown = JSON.parse(readFileSync(FLOW_SCHEMA_FILE, "utf8"));
    const regenerate = "run: pnpm --filter @runnel/engine exec tsx src/flow/write-schema.ts";
    expect(committed, regenerate).toEqual(JSON.parse(flowSchemaText()));
  });

  it("publishes a JSON Schema that validates the same flows", () => {
    const schema = z.fromJSONSchema(JSON.parse(flowSchemaText()) as Record<string, unknown>);
    const flow = { nodes: [{ id: "a", type: "set", version: 1, name: "A" }], edges: [] };
    expect(schema.safeParse(flow).success).toBe(true);
    expect(
      schema.safeParse({ nodes: [{ id: "A", type: "set", version: 1, name: "A" }], edges: [] })
        .success,
    ).toBe(false);
  });
});
