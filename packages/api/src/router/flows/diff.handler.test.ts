import { describe, expect, it } from "vitest";

import { FlowDefinition } from "@runnel/engine";

import { diffDefinitions } from "./diff.handler";
import { goodDefinition } from "./test-fixtures";

describe("diffDefinitions", () => {
  it("reports removed nodes, removed edges, nested config and settings paths, and vars", () => {
    const from = FlowDefinition.parse({ ...goodDefinition(), vars: { region: "eu", limit: 5 } });
    const to = FlowDefinition.parse({
      nodes: [
        {
          id: "start",
          type: "manual_trigger",
          version: 1,
          name: "Begin",
          config: { inputSchema: { type: "object", required: ["name"] } },
          settings: { retries: 3 },
        },
      ],
      edges: [],
      vars: { region: "us" },
    });
    expect(diffDefinitions(from, to)).toEqual({
      nodes: {
        added: [],
        removed: [{ id: "greet", type: "set" }],
        changed: [
          {
            id: "start",
            changes: [
              { path: "config.inputSchema.required", before: null, after: ["name"] },
              { path: "name", before: "Start", after: "Begin" },
              { path: "settings.retries", before: 0, after: 3 },
            ],
          },
        ],
        moved: [],
      },
      edges: { added: [], removed: [from.edges[0]] },
      vars: [
        { path: "limit", before: 5, after: null },
        { path: "region", before: "eu", after: "us" },
      ],
    });
  });

  it("matches edges by the ports they connect, not by id", () => {
    const from = FlowDefinition.parse(goodDefinition());
    const renamed = goodDefinition();
    renamed.edges = renamed.edges.map((edge) => ({ ...edge, id: "renamed" }));
    expect(diffDefinitions(from, FlowDefinition.parse(renamed)).edges).toEqual({
      added: [],
      removed: [],
    });
  });
});
