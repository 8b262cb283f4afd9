/**
 * Data is data (docs/expressions.md): keys named `constructor`, `__proto__` and `prototype`, at any depth, are
 * ordinary fields from every entry point — a webhook body, a REST body, tRPC runs.start input, a node's output read
 * by a downstream expression, approval form data — in expressions, in the stored run, in REST and tRPC answers and
 * in the SSE stream. One loopback server serves the webhook, REST and tRPC handlers as the app does.
 */
import { createTRPCClient, httpLink } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";
import type { JsonValue } from "@runnel/nodes";
import { eq } from "@runnel/db";
import { flows, runs, runSteps } from "@runnel/db/schema";

import type { LoopbackServer } from "../rest/serve.fixtures";
import type { AppRouter } from "../root";
import type { EngineHarness } from "../router/runs.fixtures";
import { createHookHandler } from "../hooks/handler";
import { createRestHandler } from "../rest/handler";
import { serveOnLoopback } from "../rest/serve.fixtures";
import { appRouter } from "../root";
import { createEngineHarness, publishedFlow } from "../router/runs.fixtures";
import { transformer } from "../transformer";
import { createTRPCContext } from "../trpc";

/** What a hostile sender posts: every dangerous key, nested, in lists too. */
const HOSTILE = `{"constructor": "x", "__proto__": {"polluted": true}, "prototype": {"p": 1},
  "nested": {"constructor": {"prototype": "deep"}},
  "items": [{"constructor": "a"}, {"constructor": "b"}]}`;
const hostile = () => JSON.parse(HOSTILE) as Record<string, unknown>;

/** What the flows below answer: read by expressions in one node, then again from that node's output downstream. */
const EXPECTED = {
  ctor: "x",
  hasCtor: true,
  hasToString: false,
  polluted: true,
  kinds: ["a", "b"],
  deep: "deep",
  again: "x",
  againDeep: "deep",
  againProto: true,
};

let h: EngineHarness;
let server: LoopbackServer;
let ada: Awaited<ReturnType<EngineHarness["user"]>>;
let key: string;

beforeAll(async () => {
  h = await createEngineHarness();
  const deps = {
    db: h.db,
    engine: h.engine,
    encryptionKey: h.encryptionKey,
    appUrl: "http://localhost:3000",
  };
  const hooks = createHookHandler(deps);
  const rest = createRestHandler(deps);
  server = await serveOnLoopback((request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/api/hooks/")) return hooks(request);
    if (path.startsWith("/api/v1/")) return rest(request);
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () => createTRPCContext({ ...deps, headers: request.headers, session: null }),
    });
  });
  ada = await h.user("Ada");
  key = (await ada.caller.apiKeys.create({ name: "data" })).key;
});
afterAll(async () => {
  await server.close();
  await h.close();
});
afterEach(() => {
  expect(Reflect.get(Object.prototype, "polluted")).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
});

const trpc = () =>
  createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${server.url}/api/trpc`,
        transformer,
        headers: { authorization: `Bearer ${key}` },
      }),
    ],
  });

const edge = (source: string, target: string, sourcePort = "out") => ({
  id: `${source}-${target}`,
  source,
  sourcePort,
  target,
  targetPort: "in",
});

/**
 * trigger → `read` (expressions over `root`, and the whole object as `body`) → `down` (expressions over
 * `nodes.read.body`), whose output is the run's output (or the webhook's response).
 */
function readingFlow(
  trigger: FlowDefinitionInput["nodes"][number],
  root: string,
): FlowDefinitionInput {
  const respond =
    trigger.type === "webhook_trigger"
      ? [{ id: "answer", type: "respond", version: 1, name: "Answer", config: {} }]
      : [];
  return {
    nodes: [
      trigger,
      {
        id: "read",
        type: "set",
        version: 1,
        name: "Read",
        config: {
          keep: "none",
          fields: [
            { name: "ctor", value: `{{ ${root}.constructor }}` },
            { name: "hasCtor", value: `{{ has(${root}.constructor) }}` },
            { name: "hasToString", value: `{{ has(${root}.toString) }}` },
            { name: "polluted", value: `{{ ${root}['__proto__'].polluted }}` },
            { name: "kinds", value: `{{ ${root}.items.map(i, i.constructor) }}` },
            { name: "deep", value: `{{ ${root}.nested.constructor.prototype }}` },
            { name: "body", value: `{{ ${root} }}` },
          ],
        },
      },
      {
        id: "down",
        type: "set",
        version: 1,
        name: "Down",
        config: {
          keep: "all",
          remove: ["body"],
          fields: [
            { name: "again", value: "{{ nodes.read.body.constructor }}" },
            { name: "againDeep", value: "{{ nodes.read.body.nested.constructor.prototype }}" },
            { name: "againProto", value: "{{ nodes.read.body.__proto__.polluted }}" },
            { name: "echo", value: "{{ nodes.read.body }}" },
          ],
        },
      },
      ...respond,
    ],
    edges: [
      edge(trigger.id, "read"),
      edge("read", "down"),
      ...(respond.length > 0 ? [edge("down", "answer")] : []),
    ],
  };
}

const manual = { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} };

/**
 * JSON with every object's own keys sorted: jsonb storage reorders keys, and toEqual would not see a lost
 * `__proto__` key (it reads it as the prototype).
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(Reflect.get(value, k))}`).join(",")}}`;
}

/** The answer of a reading flow: the expected fields, and the hostile object echoed intact. */
function expectReadAnswer(output: unknown): void {
  expect(output).toMatchObject(EXPECTED);
  const echo = (output as { echo: Record<string, unknown> }).echo;
  expect(Object.getPrototypeOf(echo)).toBe(Object.prototype);
  expect(Object.hasOwn(echo, "__proto__")).toBe(true);
  expect(canonical(echo)).toBe(canonical(hostile()));
}

/** The stored run: its input and every step's output keep the keys (jsonb round trip). */
async function expectStored(runId: string, inputPath: (input: unknown) => unknown): Promise<void> {
  const [run] = await h.db.select().from(runs).where(eq(runs.id, runId));
  expect(canonical(inputPath(run?.input))).toBe(canonical(hostile()));
  const steps = await h.db.select().from(runSteps).where(eq(runSteps.runId, runId));
  const down = steps.find((step) => step.nodeId === "down");
  expectReadAnswer(down?.output);
}

describe("keys named constructor, __proto__ and prototype are ordinary data", () => {
  it("in a webhook body: expressions read them, the response and the stored run keep them", async () => {
    const flowId = await publishedFlow(
      ada.caller,
      "Hook data",
      readingFlow(
        {
          id: "hook",
          type: "webhook_trigger",
          version: 1,
          name: "Hook",
          config: { respondMode: "respond_node" },
        },
        "trigger.body",
      ),
    );
    const { webhooks } = await ada.caller.triggers.list({ flowId });
    const hook = `${server.url}/api/hooks/${webhooks[0]?.hookId ?? ""}`;
    const response = await fetch(`${hook}?constructor=c&__proto__=q`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: HOSTILE,
    });
    const text = await response.text();
    const runId =
      response.headers.get("x-runnel-run-id") ?? (JSON.parse(text) as { runId: string }).runId;
    const run = await h.waitFor(ada.orgId, runId);
    expect(response.status, JSON.stringify({ text, error: run.error })).toBe(200);
    expectReadAnswer(JSON.parse(text));
    await expectStored(runId, (input) => (input as { body: unknown }).body);
    const [stored] = await h.db.select().from(runs).where(eq(runs.id, runId));
    const query = (stored?.input as { query: object }).query;
    expect(canonical(query)).toBe(canonical(JSON.parse('{"constructor":"c","__proto__":"q"}')));
  });

  it("in a REST body: the run's output over REST (and its SSE stream) keeps them", async () => {
    const flowId = await publishedFlow(ada.caller, "Rest data", readingFlow(manual, "trigger"));
    const deployment = await ada.caller.deployments.publish({ flowId });
    const response = await fetch(`${server.url}/api/v1/flows/${deployment.slug}/runs?wait=30`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: HOSTILE,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const body = JSON.parse(text) as { id: string; status: string; output: unknown };
    expect(body.status).toBe("succeeded");
    expectReadAnswer(body.output);
    await expectStored(body.id, (input) => input);

    const events = await fetch(`${server.url}/api/v1/runs/${body.id}/events`, {
      headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" },
    });
    const stream = await events.text();
    const succeeded = stream
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map(
        (line) =>
          JSON.parse(line.slice(5)) as { type: string; payload: { output?: { value?: unknown } } },
      )
      .find((event) => event.type === "run.succeeded");
    expect(succeeded, stream).toBeDefined();
    expectReadAnswer(succeeded?.payload.output?.value);
  });

  it("in tRPC runs.start input: the run and runs.get over tRPC keep them", async () => {
    const flowId = await publishedFlow(ada.caller, "Trpc data", readingFlow(manual, "trigger"));
    const client = trpc();
    const { id } = await client.runs.start.mutate({ flowId, input: hostile() });
    await h.waitFor(ada.orgId, id);
    const got = await client.runs.get.query({ id });
    expect(got.status).toBe("succeeded");
    expectReadAnswer(got.output);
    expect(canonical(got.input)).toBe(canonical(hostile()));
    await expectStored(id, (input) => input);
  });

  it("typed into a flow's config and variables: saveDraft → get → publish → run keep them (tRPC and REST)", async () => {
    const typed = (): FlowDefinitionInput => ({
      nodes: [
        manual,
        {
          id: "build",
          type: "set",
          version: 1,
          name: "Build",
          config: {
            keep: "none",
            fields: [
              { name: "literal", value: hostile() as JsonValue },
              { name: "__proto__", value: "a field named __proto__" },
              { name: "constructor.prototype", value: "{{ vars.settings.constructor }}" },
              { name: "fromVars", value: "{{ vars.settings }}" },
            ],
          },
        },
      ],
      edges: [edge("start", "build")],
      vars: JSON.parse(`{"settings": ${HOSTILE}, "__proto__": {"polluted": true}}`) as Record<
        string,
        JsonValue
      >,
    });
    /** The Set node's config and the variables as typed, `__proto__` keys included. */
    const expectTyped = (definition: unknown) => {
      const { nodes, vars } = definition as FlowDefinitionInput;
      expect(canonical(nodes[1]?.config)).toBe(canonical(typed().nodes[1]?.config));
      expect(canonical(vars)).toBe(canonical(typed().vars));
    };
    const expected = (): unknown => ({
      literal: hostile(),
      ...(JSON.parse('{"__proto__": "a field named __proto__"}') as object),
      constructor: { prototype: "x" },
      fromVars: hostile(),
    });
    const client = trpc();
    const flow = await client.flows.create.mutate({ name: "Typed data" });
    await client.flows.saveDraft.mutate({ id: flow.id, definition: typed() });
    const got = await client.flows.get.query({ id: flow.id });
    expectTyped(got.draft);
    const [stored] = await h.db.select().from(flows).where(eq(flows.id, flow.id));
    expectTyped(stored?.draft);

    const published = await client.flows.publish.mutate({ id: flow.id });
    const version = await client.flows.version.query({ id: flow.id, number: published.number });
    expectTyped(version.definition);
    const deployment = await client.deployments.publish.mutate({ flowId: flow.id });
    const response = await fetch(`${server.url}/api/v1/flows/${deployment.slug}/runs?wait=30`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{}",
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const body = JSON.parse(text) as { id: string; status: string; output: unknown };
    expect(body.status, text).toBe("succeeded");
    expect(canonical(body.output)).toBe(canonical(expected()));
    expect(Object.getPrototypeOf(body.output)).toBe(Object.prototype);
    const run = await client.runs.get.query({ id: body.id });
    expect(canonical(run.output)).toBe(canonical(expected()));
  });

  it("in approval form data, over REST and over tRPC: the next node reads them", async () => {
    const approvalFlow: FlowDefinitionInput = {
      nodes: [
        manual,
        {
          id: "ask",
          type: "approval",
          version: 1,
          name: "Ask",
          config: { assignees: [ada.email], message: "Ok?" },
        },
        {
          id: "after",
          type: "set",
          version: 1,
          name: "After",
          config: {
            keep: "none",
            fields: [
              { name: "ctor", value: "{{ nodes.ask.form.constructor }}" },
              { name: "polluted", value: "{{ nodes.ask.form['__proto__'].polluted }}" },
              { name: "form", value: "{{ nodes.ask.form }}" },
            ],
          },
        },
      ],
      edges: [edge("start", "ask"), edge("ask", "after", "approved")],
    };
    const flowId = await publishedFlow(ada.caller, "Approval data", approvalFlow);
    const client = trpc();
    const decideVia = {
      rest: async (approvalId: string) => {
        const response = await fetch(`${server.url}/api/v1/approvals/${approvalId}`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: `{"decision": "approve", "formData": ${HOSTILE}}`,
        });
        expect(response.status, await response.text()).toBe(200);
      },
      trpc: async (approvalId: string) => {
        await client.approvals.decide.mutate({
          id: approvalId,
          decision: "approve",
          formData: hostile(),
        });
      },
    };
    for (const [via, decide] of Object.entries(decideVia)) {
      const { id } = await client.runs.start.mutate({ flowId, input: {} });
      await h.waitFor(ada.orgId, id, (status) => status === "waiting");
      const pending = await ada.caller.approvals.pending();
      const approval = pending.find((item) => item.runId === id);
      expect(approval, via).toBeDefined();
      await decide(approval?.id ?? "");
      const run = await h.waitFor(ada.orgId, id);
      expect(run.status, via).toBe("succeeded");
      const output = run.output as { ctor: unknown; polluted: unknown; form: unknown };
      expect(output, via).toMatchObject({ ctor: "x", polluted: true });
      expect(canonical(output.form), via).toBe(canonical(hostile()));
    }
  });
});
