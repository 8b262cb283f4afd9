import { describe, expect, it } from "vitest";
import { z } from "zod";

import type { JsonValue } from "@runnel/nodes";
import { createCatalogue, defineNode, nodeRegistry } from "@runnel/nodes";

import type { FlowDefinitionInput } from "../flow/definition";
import type { CompileResult, Problem } from "./plan";
import { compileFlow } from "./compile";

/** A node with a known output shape and a credential, defined through the SDK like any catalogue node. */
const lookup = defineNode({
  type: "lookup",
  version: 1,
  kind: "action",
  ui: {
    label: "Lookup",
    category: "integration",
    icon: "search",
    description: "Looks a customer up (test node).",
  },
  config: z.object({
    customerId: z.string(),
    apiKeyId: z.string(),
    limit: z.number().int().default(10),
  }),
  credentials: [{ key: "apiKeyId", type: "httpBearer", required: true }],
  inputs: { in: { type: "any", required: false } },
  outputs: {
    out: {
      type: "object",
      schema: z.object({
        customer: z.object({ name: z.string(), tier: z.string() }),
        orders: z.array(z.object({ id: z.number() })),
      }),
    },
  },
  execute: ({ config }) => ({
    kind: "emit",
    port: "out",
    value: { customer: { name: config.customerId, tier: "gold" }, orders: [] },
  }),
});

const numbers = defineNode({
  type: "numbers",
  version: 1,
  kind: "action",
  ui: {
    label: "Numbers",
    category: "data",
    icon: "hash",
    description: "Emits a number (test node).",
  },
  config: z.object({}),
  inputs: { in: { type: "any" } },
  outputs: { out: { type: "number" } },
  execute: () => ({ kind: "emit", port: "out", value: 1 }),
});

const catalogue = createCatalogue([...nodeRegistry, lookup, numbers]);
const credentials = [
  { id: "cred_bearer", type: "httpBearer" },
  { id: "cred_openai", type: "openai" },
];

function compile(definition: unknown): CompileResult {
  return compileFlow(definition, { catalogue, credentials });
}

function problemsOf(definition: unknown): Problem[] {
  const result = compile(definition);
  if (result.ok) throw new Error("expected problems, the flow compiled");
  return result.problems;
}

function node(
  id: string,
  type: string,
  config: Record<string, JsonValue> = {},
  extra: Record<string, JsonValue> = {},
) {
  return { id, type, version: 1, name: id, config, ...extra };
}

let edgeCounter = 0;
function edge(source: string, target: string, sourcePort = "out", targetPort = "in") {
  edgeCounter += 1;
  return { id: `e${edgeCounter}_${source}_${target}`, source, sourcePort, target, targetPort };
}

const manualSchema = {
  type: "object",
  properties: { customerId: { type: "string" }, amount: { type: "number" } },
  additionalProperties: false,
};

function orderFlow(): FlowDefinitionInput {
  return {
    vars: { threshold: 100 },
    nodes: [
      node("start", "manual_trigger", { inputSchema: manualSchema }),
      node("lookup_customer", "lookup", {
        customerId: "{{ trigger.customerId }}",
        apiKeyId: "cred_bearer",
      }),
      node("is_big", "if", { condition: "{{ trigger.amount > vars.threshold }}" }),
      node("ask", "approval", {
        assignees: ["u_1"],
        message: "Approve {{ trigger.amount }} for {{ nodes.lookup_customer.customer.name }}?",
      }),
      node("small", "set", { fields: [{ name: "auto", value: true }] }),
      node("join", "merge", { mode: "object" }),
      node("reply", "respond", { body: "{{ nodes.join }}" }),
    ],
    edges: [
      edge("start", "lookup_customer"),
      edge("lookup_customer", "is_big"),
      edge("is_big", "ask", "true"),
      edge("is_big", "small", "false"),
      edge("ask", "join", "approved"),
      edge("ask", "join", "rejected"),
      edge("small", "join"),
      edge("join", "reply"),
    ],
  };
}

describe("compileFlow: a valid flow", () => {
  it("returns a plan with order, layers, upstream sets and port wiring", () => {
    const result = compile(orderFlow());
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    const { plan } = result;
    expect(plan.order).toEqual([
      "start",
      "lookup_customer",
      "is_big",
      "ask",
      "small",
      "join",
      "reply",
    ]);
    expect(plan.layers).toEqual([
      ["start"],
      ["lookup_customer"],
      ["is_big"],
      ["ask", "small"],
      ["join"],
      ["reply"],
    ]);
    expect(plan.triggers).toEqual(["start"]);
    expect(plan.vars).toEqual({ threshold: 100 });
    const join = plan.nodes.join;
    expect(join?.upstream).toEqual(["start", "lookup_customer", "is_big", "ask", "small"]);
    expect(join?.inputs).toEqual({
      in: { edges: expect.any(Array) as unknown, required: false, multiple: true },
    });
    expect(join?.inputs.in?.edges).toHaveLength(3);
    expect(plan.nodes.ask?.outputs).toMatchObject({
      approved: [expect.any(String)],
      rejected: [expect.any(String)],
      timeout: [],
    });
    expect(plan.nodes.ask?.reads).toEqual(["lookup_customer"]);
    expect(plan.nodes.reply?.readsAnyNode).toBe(false);
    expect(plan.nodes.lookup_customer?.literalConfig).toEqual(["apiKeyId"]);
    expect(plan.nodes.is_big?.settings).toEqual({
      retries: 0,
      timeoutMs: 300_000,
      onError: "fail",
    });
    expect(plan.nodes.is_big?.continuePort).toBe("true");
    expect(plan.nodes.ask?.kind).toBe("approval");
  });

  it("adds the error port when onError routes there", () => {
    const flow = orderFlow();
    flow.nodes[1] = {
      ...node("lookup_customer", "lookup", { customerId: "x", apiKeyId: "cred_bearer" }),
      settings: { onError: "error_port" },
    };
    flow.nodes.push(
      node("log_failure", "set", {
        fields: [{ name: "why", value: "{{ nodes.lookup_customer.error.message }}" }],
      }),
    );
    flow.edges.push(edge("lookup_customer", "log_failure", "error"));
    const result = compile(flow);
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    expect(Object.keys(result.plan.nodes.lookup_customer?.outputs ?? {})).toEqual(["out", "error"]);
  });
});

describe("compileFlow: switch ports", () => {
  it("wires one output port per case, named by the config", () => {
    const result = compile({
      nodes: [
        node("start", "manual_trigger"),
        node("route", "switch", {
          cases: [
            { name: "small", when: "{{ trigger.n < 10 }}" },
            { name: "large", when: "{{ trigger.n >= 10 }}" },
          ],
        }),
        node("a", "set"),
        node("b", "set"),
        node("c", "set"),
      ],
      edges: [
        edge("start", "route"),
        edge("route", "a", "small"),
        edge("route", "b", "large"),
        edge("route", "c", "default"),
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    expect(Object.keys(result.plan.nodes.route?.outputs ?? {}).sort()).toEqual([
      "default",
      "large",
      "small",
    ]);
    expect(result.plan.nodes.route?.continuePort).toBe("default");
    expect(
      problemsOf({
        nodes: [
          node("start", "manual_trigger"),
          node("route", "switch", { cases: [{ name: "x", when: true }] }),
          node("a", "set"),
        ],
        edges: [edge("start", "route"), edge("route", "a", "y")],
      }),
    ).toEqual([
      expect.objectContaining({
        code: "edge_unknown_port",
        message: 'route has no output port "y" (ports: x, default)',
      }),
    ]);
  });
});

describe("compileFlow: problems", () => {
  it("reports every problem at once", () => {
    const flow = orderFlow();
    flow.nodes.push(node("Bad Id", "set"));
    flow.nodes.push(node("mystery", "does_not_exist"));
    flow.nodes.push({ ...node("old", "set"), version: 9 });
    flow.nodes[1] = node("lookup_customer", "lookup", {
      customerId: "{{ trigger.customerId }}",
      apiKeyId: "cred_openai",
      limit: "ten",
    });
    flow.edges.push(edge("small", "nowhere"));
    const codes = problemsOf(flow)
      .map((problem) => problem.code)
      .sort();
    expect(codes).toEqual(
      [
        "credential_type_mismatch",
        "edge_unknown_node",
        "invalid_config",
        "invalid_definition",
        "unknown_node_type",
        "unknown_node_version",
        "unreachable",
        "unreachable",
      ].sort(),
    );
  });

  it("reports malformed nodes and edges with their paths", () => {
    const problems = problemsOf({
      nodes: [node("start", "manual_trigger"), { id: "x", type: "set" }],
      edges: [{ id: "e", source: "start" }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          nodeId: "x",
          path: ["nodes", 1, "version"],
          code: "invalid_definition",
        }),
        expect.objectContaining({
          nodeId: "x",
          path: ["nodes", 1, "name"],
          code: "invalid_definition",
        }),
        expect.objectContaining({
          nodeId: null,
          edgeId: "e",
          path: ["edges", 0, "sourcePort"],
          code: "invalid_definition",
        }),
      ]),
    );
    expect(problemsOf({ nodes: "nope" })).toEqual([
      expect.objectContaining({ path: ["nodes"], code: "invalid_definition" }),
      expect.objectContaining({ path: ["edges"] }),
    ]);
  });

  it("reports duplicate node and edge ids and repeated edges", () => {
    const problems = problemsOf({
      nodes: [node("start", "manual_trigger"), node("a", "set"), node("a", "set")],
      edges: [
        edge("start", "a"),
        { ...edge("start", "a"), id: "dup" },
        { ...edge("start", "a"), id: "dup" },
      ],
    });
    expect(problems.map((problem) => [problem.code, problem.path])).toEqual([
      ["duplicate_node_id", ["nodes", 2, "id"]],
      ["duplicate_edge", ["edges", 1, "id"]],
      ["duplicate_edge_id", ["edges", 2, "id"]],
    ]);
  });

  it("reports invalid config with zod paths, but leaves template strings to run time", () => {
    const problems = problemsOf({
      nodes: [
        node("start", "manual_trigger"),
        node("wait_a_bit", "wait", { mode: "duration", duration: { amount: 0, unit: "weeks" } }),
        node("pause", "wait", { mode: "until", until: "{{ trigger.when }}" }),
        node("route", "switch", { cases: [{ name: "big", when: "{{ trigger.n > 3 }}" }] }),
      ],
      edges: [edge("start", "wait_a_bit"), edge("start", "pause"), edge("start", "route")],
    });
    expect(
      problems.map((problem) => [problem.nodeId, problem.path.join("."), problem.code]),
    ).toEqual([
      ["wait_a_bit", "nodes.1.config.duration.amount", "invalid_config"],
      ["wait_a_bit", "nodes.1.config.duration.unit", "invalid_config"],
    ]);
  });

  it("reports a mixed template where the config needs another type than text", () => {
    const problems = problemsOf({
      nodes: [
        node("start", "manual_trigger"),
        node("check", "if", { condition: "is {{ trigger.ok }}" }),
        node("pause", "wait", { mode: "until", until: "{{ trigger.date }}T09:00:00Z" }),
      ],
      edges: [edge("start", "check"), edge("start", "pause")],
    });
    expect(
      problems.map((problem) => [problem.path.join("."), problem.code, problem.message]),
    ).toEqual([
      [
        "nodes.1.config.condition",
        "invalid_config",
        "Invalid input: expected boolean, received string",
      ],
    ]);
  });

  it("reports unknown ports, port type mismatches and missing required inputs", () => {
    const problems = problemsOf({
      nodes: [
        node("start", "manual_trigger"),
        node("check", "if", { condition: true }),
        node("count", "numbers"),
        node("rows", "loop", { flowId: "f" }),
        node("lonely", "numbers"),
      ],
      edges: [
        edge("start", "check", "out", "input"),
        edge("start", "count"),
        edge("count", "rows"),
        edge("start", "lonely", "oops"),
        edge("start", "start"),
      ],
    });
    const summary = problems.map(
      (problem) => `${problem.code} ${problem.nodeId ?? "-"}: ${problem.message}`,
    );
    expect(summary).toEqual(
      expect.arrayContaining([
        'edge_unknown_port check: check has no input port "input" (ports: in)',
        "port_type_mismatch rows: count.out gives number but rows.in takes array",
        'edge_unknown_port start: start has no output port "oops" (ports: out)',
        'edge_unknown_port start: start has no input port "in" (it takes no inputs)',
        'missing_input check: required input "in" of check is not connected',
        'missing_input lonely: required input "in" of lonely is not connected',
      ]),
    );
  });

  it("refuses the error port unless onError routes there", () => {
    const problems = problemsOf({
      nodes: [node("start", "manual_trigger"), node("a", "set")],
      edges: [edge("start", "a"), edge("a", "start", "error")],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: "edge_unknown_port",
          message: expect.stringContaining('set the node\'s onError to "error_port"') as unknown,
        }),
      ]),
    );
  });

  it("reports cycles on every node of the cycle", () => {
    const problems = problemsOf({
      nodes: [
        node("start", "manual_trigger"),
        node("a", "set"),
        node("b", "set"),
        node("c", "set"),
        node("self", "set"),
      ],
      edges: [
        edge("start", "a"),
        edge("a", "b"),
        edge("b", "c"),
        edge("c", "a"),
        edge("start", "self"),
        edge("self", "self"),
      ],
    });
    expect(
      problems
        .filter((problem) => problem.code === "cycle")
        .map((problem) => [problem.nodeId, problem.message]),
    ).toEqual([
      ["a", "a is part of a cycle: a → b → c → a"],
      ["b", "b is part of a cycle: a → b → c → a"],
      ["c", "c is part of a cycle: a → b → c → a"],
      ["self", "self is part of a cycle: self → self"],
    ]);
  });

  it("reports a flow without trigger and nodes no trigger reaches", () => {
    expect(problemsOf({ nodes: [node("a", "set")], edges: [] })).toEqual([
      expect.objectContaining({ nodeId: null, code: "no_trigger" }),
    ]);
    const problems = problemsOf({
      nodes: [node("start", "manual_trigger"), node("a", "set"), node("b", "set")],
      edges: [edge("start", "a"), edge("b", "b")],
    });
    expect(
      problems.filter((problem) => problem.code === "unreachable").map((problem) => problem.nodeId),
    ).toEqual(["b"]);
  });

  it("reports conflicting triggers", () => {
    const problems = problemsOf({
      nodes: [
        node("by_hand", "manual_trigger"),
        node("by_api", "api_trigger"),
        node("hook_a", "webhook_trigger"),
        node("hook_b", "webhook_trigger"),
        node("nightly", "schedule_trigger", { cron: "0 2 * * *" }),
        node("hourly", "schedule_trigger", { cron: "@hourly" }),
        node("hook_c", "webhook_trigger", { respondMode: "respond_node" }),
        node("work", "set"),
      ],
      edges: ["by_hand", "by_api", "hook_a", "hook_b", "nightly", "hourly", "hook_c"].map((id) =>
        edge(id, "work"),
      ),
    });
    expect(problems.map((problem) => [problem.code, problem.nodeId])).toEqual([
      ["conflicting_triggers", "hook_b"],
      ["conflicting_triggers", "hook_c"],
      ["conflicting_triggers", "by_api"],
      ["missing_respond_node", "hook_c"],
    ]);
  });

  it("checks that expressions read only upstream nodes, known fields, variables and run fields", () => {
    const flow = orderFlow();
    flow.nodes.push(
      node("side", "set", {
        fields: [
          { name: "a", value: "{{ nodes.small.auto }}" },
          { name: "b", value: "{{ nodes.ghost.x }}" },
          { name: "c", value: "{{ nodes.lookup_customer.customer.nmae }}" },
          { name: "d", value: "{{ nodes.lookup_customer.orders[0].total }}" },
          { name: "e", value: "{{ trigger.amount + vars.limit }}" },
          { name: "f", value: "{{ run.owner }}" },
          { name: "g", value: "{{ trigger.customer_id }}" },
          { name: "h", value: "{{ nodes.side.a }}" },
          {
            name: "i",
            value:
              "{{ nodes.lookup_customer.customer.tier }} {{ has(nodes.lookup_customer.customer.vip) }} {{ run.id }} {{ vars.threshold }}",
          },
          { name: "j", value: "{{ nodes.lookup_customer. }}" },
        ],
      }),
    );
    flow.edges.push(edge("lookup_customer", "side"));
    const problems = problemsOf(flow).map((problem) => [
      problem.path.slice(3).join("."),
      problem.code,
      problem.message,
    ]);
    expect(problems).toEqual([
      [
        "fields.0.value",
        "expression_not_upstream",
        "{{ nodes.small.auto }}: small is not upstream of side, so its output is not available here",
      ],
      [
        "fields.1.value",
        "expression_unknown_node",
        '{{ nodes.ghost.x }}: there is no node "ghost"',
      ],
      [
        "fields.2.value",
        "expression_unknown_field",
        '{{ nodes.lookup_customer.customer.nmae }}: nodes.lookup_customer.customer.nmae: "nmae" does not exist in the output of lookup_customer (fields: name, tier)',
      ],
      [
        "fields.3.value",
        "expression_unknown_field",
        '{{ nodes.lookup_customer.orders[0].total }}: nodes.lookup_customer.orders[0].total: "total" does not exist in the output of lookup_customer (fields: id)',
      ],
      [
        "fields.4.value",
        "expression_unknown_var",
        '{{ trigger.amount + vars.limit }}: vars.limit: no flow variable "limit" (variables: threshold)',
      ],
      [
        "fields.5.value",
        "expression_unknown_field",
        '{{ run.owner }}: run.owner: run has no field "owner" (fields: id, flowId, flowVersion, orgId, startedAt, triggerNodeId)',
      ],
      [
        "fields.6.value",
        "expression_unknown_field",
        '{{ trigger.customer_id }}: trigger.customer_id: "customer_id" does not exist in the trigger output (fields: customerId, amount)',
      ],
      [
        "fields.7.value",
        "expression_not_upstream",
        "{{ nodes.side.a }}: side cannot read its own output",
      ],
      [
        "fields.9.value",
        "expression_syntax",
        expect.stringMatching(/^\{\{ nodes\.lookup_customer\. \}\}: /) as unknown,
      ],
    ]);
  });

  it("checks an agent's flow tools name published flows of the org, and its tool names", () => {
    const agent = (id: string, tools: JsonValue) =>
      node(id, "agent", { credential: "cred_openai", model: "m", message: "hi", tools });
    const definition = {
      nodes: [
        node("start", "manual_trigger"),
        agent("ok", [{ kind: "flow", name: "a", flowId: "flow_pub" }]),
        agent("gone", [
          { kind: "http", name: "h", url: "https://x.test/" },
          { kind: "flow", name: "b", flowId: "flow_gone" },
        ]),
        agent("draft", [{ kind: "flow", name: "c", flowId: "flow_draft" }]),
        agent("dupe", [
          { kind: "flow", name: "same", flowId: "flow_pub" },
          { kind: "flow", name: "same", flowId: "flow_pub" },
        ]),
      ],
      edges: ["ok", "gone", "draft", "dupe"].map((id) => edge("start", id)),
    };
    const result = compileFlow(definition, {
      catalogue,
      credentials,
      flows: [
        { id: "flow_pub", published: true },
        { id: "flow_draft", published: false },
      ],
    });
    if (result.ok) throw new Error("expected problems");
    expect(result.problems.map((p) => [p.nodeId, p.path.join("."), p.code, p.message])).toEqual([
      [
        "dupe",
        "nodes.4.config.tools.1.name",
        "invalid_config",
        expect.stringContaining('tool name "same" is already used by tool 0') as unknown,
      ],
      [
        "gone",
        "nodes.2.config.tools.1.flowId",
        "unknown_flow",
        'flow "flow_gone" does not exist in this organisation',
      ],
      [
        "draft",
        "nodes.3.config.tools.0.flowId",
        "unpublished_flow",
        'flow "flow_draft" has no published version: publish it before draft uses it',
      ],
    ]);
    // Without the org's flows (a run's own compile), references are not checked.
    const valid = {
      nodes: definition.nodes.slice(0, 4),
      edges: definition.edges.slice(0, 3),
    };
    expect(compileFlow(valid, { catalogue, credentials }).ok).toBe(true);
  });

  it("checks credentials: missing, unknown, wrong type, or chosen by expression", () => {
    const problems = problemsOf({
      nodes: [
        node("start", "manual_trigger"),
        node("no_key", "lookup", { customerId: "1" }),
        node("bad_key", "lookup", { customerId: "1", apiKeyId: "cred_gone" }),
        node("wrong_key", "lookup", { customerId: "1", apiKeyId: "cred_openai" }),
        node("dyn_key", "lookup", { customerId: "1", apiKeyId: "{{ vars.key }}" }),
        node("hook", "webhook_trigger", { signatureCredentialId: "cred_missing" }),
      ],
      edges: [
        edge("start", "no_key"),
        edge("start", "bad_key"),
        edge("start", "wrong_key"),
        edge("start", "dyn_key"),
        edge("hook", "no_key"),
      ],
    });
    expect(problems.map((problem) => [problem.nodeId, problem.code, problem.message])).toEqual(
      expect.arrayContaining([
        ["no_key", "missing_credential", "no_key needs a httpBearer credential"],
        [
          "bad_key",
          "unknown_credential",
          'credential "cred_gone" does not exist in this organisation',
        ],
        [
          "wrong_key",
          "credential_type_mismatch",
          'credential "cred_openai" is a openai credential; wrong_key needs httpBearer',
        ],
        ["dyn_key", "credential_expression", "a credential is chosen by id, not by an expression"],
        [
          "hook",
          "unknown_credential",
          'credential "cred_missing" does not exist in this organisation',
        ],
      ]),
    );
    expect(problems.some((problem) => problem.code === "expression_unknown_var")).toBe(false);
  });

  it("never evaluates expressions while compiling", () => {
    const result = compile({
      nodes: [
        node("start", "manual_trigger"),
        node("a", "set", { fields: [{ name: "x", value: "{{ 1 / 0 }}" }] }),
      ],
      edges: [edge("start", "a")],
    });
    expect(result.ok).toBe(true);
  });
});
