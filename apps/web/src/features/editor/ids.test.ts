import { describe, expect, it } from "vitest";

import { edgeId, idBase, renameConfigReferences, renameNodeReferences, uniqueNodeId } from "./ids";

describe("node ids", () => {
  it("are readable snake_case that the flow schema accepts", () => {
    expect(idBase("http_request")).toBe("http_request");
    expect(idBase("HTTP Request!")).toBe("http_request");
    expect(idBase("2fa check")).toBe("node_2fa_check");
    expect(idBase("x".repeat(100))).toHaveLength(60);
    expect(idBase("x".repeat(100))).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it("count up when taken, from the stem of an id that already has a counter", () => {
    expect(uniqueNodeId("http_request", new Set())).toBe("http_request");
    expect(uniqueNodeId("http_request", new Set(["http_request"]))).toBe("http_request_2");
    expect(uniqueNodeId("http_request", new Set(["http_request", "http_request_2"]))).toBe(
      "http_request_3",
    );
    expect(uniqueNodeId("http_request_2", new Set(["http_request", "http_request_2"]))).toBe(
      "http_request_3",
    );
  });
});

describe("edge ids", () => {
  it("name their ends and stay unique", () => {
    const ends = { source: "a", sourcePort: "out", target: "b", targetPort: "in" };
    expect(edgeId(ends, new Set())).toBe("a.out->b.in");
    expect(edgeId(ends, new Set(["a.out->b.in"]))).toBe("e1");
    expect(edgeId(ends, new Set(["a.out->b.in", "e1"]))).toBe("e2");
  });
});

describe("renaming node references in expressions", () => {
  const renamed = new Map([
    ["fetch", "fetch_2"],
    ["ask", "ask_2"],
  ]);
  const rename = (text: string) => renameNodeReferences(text, renamed);

  it("rewrites every form the engine reads a node by: .id, .?id, [\"id\"], [?'id'], has()", () => {
    expect(rename("{{ nodes.fetch.body }}")).toBe("{{ nodes.fetch_2.body }}");
    expect(rename("{{nodes.fetch}}")).toBe("{{nodes.fetch_2}}");
    expect(rename("{{ nodes.?fetch.orValue(1) }}")).toBe("{{ nodes.?fetch_2.orValue(1) }}");
    expect(rename('{{ nodes["fetch"].body }}')).toBe('{{ nodes["fetch_2"].body }}');
    expect(rename("{{ nodes[?'ask'] }}")).toBe("{{ nodes[?'ask_2'] }}");
    expect(rename("{{ has(nodes.ask) ? nodes.ask.text : nodes . fetch }}")).toBe(
      "{{ has(nodes.ask_2) ? nodes.ask_2.text : nodes . fetch_2 }}",
    );
    expect(rename("{{ nodes.fetch.items.map(i, i.id + nodes.ask.text) }}")).toBe(
      "{{ nodes.fetch_2.items.map(i, i.id + nodes.ask_2.text) }}",
    );
  });

  it("keeps text outside the braces, other nodes, other roots, members named nodes and string contents", () => {
    expect(rename("nodes.fetch says {{ nodes.fetch }} and {{ nodes.start }}")).toBe(
      "nodes.fetch says {{ nodes.fetch_2 }} and {{ nodes.start }}",
    );
    expect(rename("{{ nodes.fetcher }} {{ nodes.fetch_old }}")).toBe(
      "{{ nodes.fetcher }} {{ nodes.fetch_old }}",
    );
    expect(rename("{{ trigger.nodes.fetch }} {{ vars.fetch }} {{ nodes.start.fetch }}")).toBe(
      "{{ trigger.nodes.fetch }} {{ vars.fetch }} {{ nodes.start.fetch }}",
    );
    expect(rename("{{ 'nodes.fetch }}' + nodes.fetch }}")).toBe(
      "{{ 'nodes.fetch }}' + nodes.fetch_2 }}",
    );
    expect(rename('{{ r"nodes.ask\\d" + nodes.ask }}')).toBe('{{ r"nodes.ask\\d" + nodes.ask_2 }}');
    expect(rename("\\{{ nodes.fetch }}")).toBe("\\{{ nodes.fetch }}");
    expect(rename("{{ {'a': nodes.fetch} }} {{ nodes.ask")).toBe(
      "{{ {'a': nodes.fetch_2} }} {{ nodes.ask",
    );
  });

  it("walks a whole config, keeping literal keys and unchanged parts as they are", () => {
    const headers = { Accept: "application/json" };
    const config = {
      url: "{{ nodes.fetch.next }}",
      headers,
      list: ["{{ nodes.ask }}", 3, null, true],
      body: { type: "json", json: { q: "{{ nodes.start.q }}" } },
      code: "return '{{ nodes.fetch }}';",
    };
    const out = renameConfigReferences(config, renamed, ["code"]);
    expect(out).toEqual({
      ...config,
      url: "{{ nodes.fetch_2.next }}",
      list: ["{{ nodes.ask_2 }}", 3, null, true],
    });
    expect(out.headers).toBe(headers);
    expect(out.body).toBe(config.body);
    expect(renameConfigReferences(config.body, renamed)).toBe(config.body);
  });
});
