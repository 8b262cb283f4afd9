import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { and, eq } from "@runnel/db";
import { flows, flowVersions } from "@runnel/db/schema";

import type { Harness } from "../../../test/harness";
import { createHarness, failure } from "../../../test/harness";
import { goodDefinition, incompleteDefinition } from "./test-fixtures";

let t: Harness;
beforeAll(async () => {
  t = await createHarness();
});
afterAll(async () => {
  await t.close();
});

describe("flows", () => {
  it("create gives a unique slug per org and a starter draft with a manual trigger", async () => {
    const ada = await t.user("Ada");
    const first = await ada.caller.flows.create({ name: "Order Sync!" });
    const second = await ada.caller.flows.create({ name: "Order sync" });
    expect(first.slug).toBe("order-sync");
    expect(second.slug).toMatch(/^order-sync-[0-9a-f]{6}$/);
    const eve = await t.user("Eve");
    expect((await eve.caller.flows.create({ name: "Order sync" })).slug).toBe("order-sync");

    const got = await ada.caller.flows.get({ id: first.id });
    expect(got.draft.nodes.map((n) => [n.id, n.type])).toEqual([["start", "manual_trigger"]]);
    expect(got.latestVersion).toBeNull();
    expect(got.deployment).toBeNull();
    expect((await ada.caller.flows.validate({ id: first.id })).ok).toBe(true);
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining(["flow.created", "flow.created"]),
    );
  });

  it("list searches by name and pages with a cursor, newest first", async () => {
    const ada = await t.user("Ada");
    const names = ["Alpha report", "Beta sync", "Gamma report", "Delta 100%_report", "Epsilon"];
    for (const name of names) await ada.caller.flows.create({ name });
    const all: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await ada.caller.flows.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      all.push(...result.items.map((f) => f.name));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(all).toEqual([...names].reverse());
    const reports = await ada.caller.flows.list({ search: "REPORT" });
    expect(reports.items.map((f) => f.name).sort()).toEqual([
      "Alpha report",
      "Delta 100%_report",
      "Gamma report",
    ]);
    // % and _ are literal characters in a search.
    expect((await ada.caller.flows.list({ search: "%_" })).items.map((f) => f.name)).toEqual([
      "Delta 100%_report",
    ]);
    const listed = (await ada.caller.flows.list()).items[0];
    expect(listed).toMatchObject({ latestVersion: null, deployed: false });
    const bad = await failure(ada.caller.flows.list({ cursor: "not-a-flow" }));
    expect(bad.fieldErrors).toEqual({ cursor: ["The cursor does not name a flow of this org"] });
  });

  it("list takes the direction tRPC's infinite queries add: forward pages as without it, backward and other keys are refused", async () => {
    const ada = await t.user("Ada");
    for (const name of ["One", "Two", "Three"]) await ada.caller.flows.create({ name });
    const first = await ada.caller.flows.list({ limit: 2, direction: "forward" });
    expect(first.items.map((f) => f.name)).toEqual(["Three", "Two"]);
    expect(first).toEqual(await ada.caller.flows.list({ limit: 2 }));
    const cursor = first.nextCursor ?? undefined;
    expect(cursor).toBeDefined();
    const second = await ada.caller.flows.list({ limit: 2, cursor, direction: "forward" });
    expect(second.items.map((f) => f.name)).toEqual(["One"]);
    expect(second.nextCursor).toBeNull();

    const backward = await failure(
      ada.caller.flows.list({ limit: 2, cursor, direction: "backward" }),
    );
    expect(backward.code).toBe("BAD_REQUEST");
    expect(Object.keys(backward.fieldErrors ?? {})).toEqual(["direction"]);
    expect(backward.fieldErrors?.direction?.[0]).toMatch(/only forward paging is supported/i);

    const unknownKey = await failure(
      ada.caller.flows.list({ limit: 2, direction: "forward", page: 2 } as never),
    );
    expect(unknownKey.code).toBe("BAD_REQUEST");
    expect(unknownKey.message).toContain('"page"');
  });

  it("saveDraft: structural errors are field errors (nothing saved); incomplete drafts are saved with their problems", async () => {
    const ada = await t.user("Ada");
    const flow = await ada.caller.flows.create({ name: "Draft" });
    const before = await ada.caller.flows.get({ id: flow.id });
    const broken = await failure(
      ada.caller.flows.saveDraft({
        id: flow.id,
        definition: {
          nodes: [{ id: "Bad Id", type: "set", version: 0, name: "x" }],
          edges: [],
        },
      }),
    );
    expect(broken.code).toBe("BAD_REQUEST");
    expect(Object.keys(broken.fieldErrors ?? {}).sort()).toEqual([
      "definition.nodes.0.id",
      "definition.nodes.0.version",
    ]);
    expect((await ada.caller.flows.get({ id: flow.id })).draftUpdatedAt).toEqual(
      before.draftUpdatedAt,
    );

    const saved = await ada.caller.flows.saveDraft({
      id: flow.id,
      definition: incompleteDefinition(),
      description: "work in progress",
    });
    expect(saved.flow.description).toBe("work in progress");
    expect(saved.problems.length).toBeGreaterThan(0);
    const got = await ada.caller.flows.get({ id: flow.id });
    expect(got.draft.nodes.map((n) => n.id)).toEqual(["start", "orphan"]);
    // Defaults are applied on save.
    expect(got.draft.nodes[1]?.settings).toEqual({
      retries: 0,
      timeoutMs: 300_000,
      onError: "fail",
    });

    const validation = await ada.caller.flows.validate({ id: flow.id });
    expect(validation.ok).toBe(false);
    expect(validation.problems).toEqual(saved.problems);
    const orphan = validation.problems.filter((p) => p.nodeId === "orphan");
    expect(orphan.map((p) => p.code)).toEqual(
      expect.arrayContaining(["unreachable", "expression_unknown_node"]),
    );
    expect(orphan.every((p) => p.path[0] === "nodes" && p.path[1] === 1)).toBe(true);

    // validate can check an unsaved definition, even a malformed one, without saving it.
    const adHoc = await ada.caller.flows.validate({ id: flow.id, definition: { nodes: "no" } });
    expect(adHoc.ok).toBe(false);
    expect(adHoc.problems[0]).toMatchObject({ nodeId: null, code: "invalid_definition" });
    expect(
      (await ada.caller.flows.validate({ id: flow.id, definition: goodDefinition() })).ok,
    ).toBe(true);
    expect((await ada.caller.flows.get({ id: flow.id })).draft.nodes[1]?.id).toBe("orphan");
  });

  it("validate checks an agent's flow tools name a published flow of the org", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const credential = await ada.caller.credentials.create({
      type: "openai",
      name: "OpenAI",
      data: { apiKey: "sk-ada" },
    });
    const tool = await ada.caller.flows.create({ name: "Tool flow" });
    const eves = await eve.caller.flows.create({ name: "Eve's flow" });
    await eve.caller.flows.publish({ id: eves.id });
    const withAgent = (flowId: string) => {
      const definition = goodDefinition();
      definition.nodes.push({
        id: "helper",
        type: "agent",
        version: 1,
        name: "Helper",
        config: {
          credential: credential.id,
          model: "gpt-4o-mini",
          message: "Help",
          tools: [{ kind: "flow", name: "tool", flowId }],
        },
      });
      definition.edges.push({
        id: "e2",
        source: "greet",
        sourcePort: "out",
        target: "helper",
        targetPort: "in",
      });
      return definition;
    };
    const flow = await ada.caller.flows.create({ name: "Agentic" });
    const problems = async (flowId: string) =>
      (
        await ada.caller.flows.validate({ id: flow.id, definition: withAgent(flowId) })
      ).problems.map((p) => [p.nodeId, p.path.join("."), p.code]);
    expect(await problems(tool.id)).toEqual([
      ["helper", "nodes.2.config.tools.0.flowId", "unpublished_flow"],
    ]);
    expect(await problems(eves.id)).toEqual([
      ["helper", "nodes.2.config.tools.0.flowId", "unknown_flow"],
    ]);
    await ada.caller.flows.publish({ id: tool.id });
    expect(await problems(tool.id)).toEqual([]);
  });

  it("validate and publish check credentials against the org's own: another org's credential id is unknown", async () => {
    const ada = await t.user("Ada");
    const eve = await t.user("Eve");
    const adas = await ada.caller.credentials.create({
      type: "openai",
      name: "OpenAI",
      data: { apiKey: "sk-ada" },
    });
    const eves = await eve.caller.credentials.create({
      type: "openai",
      name: "OpenAI",
      data: { apiKey: "sk-eve" },
    });
    const bearer = await ada.caller.credentials.create({
      type: "httpBearer",
      name: "token",
      data: { token: "t" },
    });
    const withCredential = (credential: string) => {
      const definition = goodDefinition();
      definition.nodes.push({
        id: "ask",
        type: "llm_text",
        version: 1,
        name: "Ask",
        config: { credential, model: "gpt-4o-mini", prompt: "Say hi" },
      });
      definition.edges.push({
        id: "e2",
        source: "greet",
        sourcePort: "out",
        target: "ask",
        targetPort: "in",
      });
      return definition;
    };
    const flow = await ada.caller.flows.create({ name: "Credentialed" });
    const codes = async (credential: string) =>
      (
        await ada.caller.flows.validate({ id: flow.id, definition: withCredential(credential) })
      ).problems.map((p) => [p.nodeId, p.code]);
    expect(await codes(adas.id)).toEqual([]);
    expect(await codes(eves.id)).toEqual([["ask", "unknown_credential"]]);
    expect(await codes(bearer.id)).toEqual([["ask", "credential_type_mismatch"]]);

    await ada.caller.flows.saveDraft({ id: flow.id, definition: withCredential(eves.id) });
    expect((await failure(ada.caller.flows.publish({ id: flow.id }))).code).toBe("BAD_REQUEST");
    await ada.caller.flows.saveDraft({ id: flow.id, definition: withCredential(adas.id) });
    expect((await ada.caller.flows.publish({ id: flow.id })).number).toBe(1);
  });

  it("publish refuses a draft that does not compile and lists the problems; nothing is written", async () => {
    const ada = await t.user("Ada");
    const flow = await ada.caller.flows.create({ name: "Refused" });
    await ada.caller.flows.saveDraft({ id: flow.id, definition: incompleteDefinition() });
    const refused = await failure(ada.caller.flows.publish({ id: flow.id, message: "v1" }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toMatch(
      /^Flow "Refused" does not compile \(\d+ problems\); nothing was published/,
    );
    expect(refused.message).toContain("orphan nodes.1");
    expect(Object.keys(refused.fieldErrors ?? {})).toContain("nodes.1.config.fields.0.value");
    expect(await ada.caller.flows.versions({ id: flow.id })).toEqual([]);
    expect(await t.auditActions(ada.orgId)).not.toContain("flow.published");
  });

  it("publish creates immutable numbered versions; versions, version and diff read them", async () => {
    const ada = await t.user("Ada");
    const flow = await ada.caller.flows.create({ name: "Versions" });
    await ada.caller.flows.saveDraft({ id: flow.id, definition: goodDefinition("hello") });
    const v1 = await ada.caller.flows.publish({ id: flow.id, message: "first" });
    expect(v1).toMatchObject({ number: 1, message: "first", authorId: ada.userId });

    const changed = goodDefinition("hi there");
    changed.nodes.push({
      id: "extra",
      type: "set",
      version: 1,
      name: "Extra",
      config: {},
      position: { x: 400, y: 0 },
      settings: { retries: 2 },
    });
    changed.edges.push({
      id: "e2",
      source: "greet",
      sourcePort: "out",
      target: "extra",
      targetPort: "in",
    });
    const start = changed.nodes[0];
    if (start) start.position = { x: 10, y: 10 };
    await ada.caller.flows.saveDraft({ id: flow.id, definition: changed });
    const v2 = await ada.caller.flows.publish({ id: flow.id });
    expect(v2.number).toBe(2);

    expect((await ada.caller.flows.versions({ id: flow.id })).map((v) => v.number)).toEqual([2, 1]);
    expect((await ada.caller.flows.list()).items.find((f) => f.id === flow.id)).toMatchObject({
      latestVersion: 2,
      deployed: false,
    });
    const got = await ada.caller.flows.get({ id: flow.id });
    expect(got.latestVersion).toMatchObject({ id: v2.id, number: 2 });
    const one = await ada.caller.flows.version({ id: flow.id, number: 1 });
    expect(one.definition.nodes.map((n) => n.id)).toEqual(["start", "greet"]);
    expect((await failure(ada.caller.flows.version({ id: flow.id, number: 3 }))).code).toBe(
      "NOT_FOUND",
    );

    const diff = await ada.caller.flows.diff({ id: flow.id, from: 1, to: 2 });
    expect(diff.nodes.added).toEqual([{ id: "extra", type: "set" }]);
    expect(diff.nodes.removed).toEqual([]);
    expect(diff.nodes.changed).toEqual([
      {
        id: "greet",
        changes: [
          {
            path: "config.fields",
            before: [{ name: "greeting", value: "hello" }],
            after: [{ name: "greeting", value: "hi there" }],
          },
        ],
      },
    ]);
    expect(diff.nodes.moved).toEqual(["start"]);
    expect(diff.edges.added.map((e) => e.id)).toEqual(["e2"]);
    expect(diff.edges.removed).toEqual([]);
    const back = await ada.caller.flows.diff({ id: flow.id, from: 2, to: "draft" });
    expect(back).toEqual({
      nodes: { added: [], removed: [], changed: [], moved: [] },
      edges: { added: [], removed: [] },
      vars: [],
    });

    // Versions are immutable in the database too.
    await expect(
      t.db.update(flowVersions).set({ message: "rewritten" }).where(eq(flowVersions.id, v1.id)),
    ).rejects.toThrow();
    expect((await ada.caller.flows.version({ id: flow.id, number: 1 })).message).toBe("first");
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining(["flow.published", "flow.published"]),
    );
  });

  it("duplicate copies the draft into a new flow; delete is soft and frees the slug", async () => {
    const ada = await t.user("Ada");
    const flow = await ada.caller.flows.create({ name: "Original", description: "d" });
    await ada.caller.flows.saveDraft({ id: flow.id, definition: goodDefinition() });
    await ada.caller.flows.publish({ id: flow.id });
    const copy = await ada.caller.flows.duplicate({ id: flow.id });
    expect(copy).toMatchObject({
      name: "Original (copy)",
      slug: "original-copy",
      description: "d",
    });
    const copied = await ada.caller.flows.get({ id: copy.id });
    expect(copied.draft).toEqual((await ada.caller.flows.get({ id: flow.id })).draft);
    expect(copied.latestVersion).toBeNull();

    expect(await ada.caller.flows.delete({ id: flow.id })).toEqual({ id: flow.id });
    expect((await failure(ada.caller.flows.get({ id: flow.id }))).code).toBe("NOT_FOUND");
    expect((await failure(ada.caller.flows.delete({ id: flow.id }))).code).toBe("NOT_FOUND");
    expect((await ada.caller.flows.list()).items.map((f) => f.id)).toEqual([copy.id]);
    const [row] = await t.db.select().from(flows).where(eq(flows.id, flow.id));
    expect(row?.deletedAt).toBeInstanceOf(Date);
    const versions = await t.db.select().from(flowVersions).where(eq(flowVersions.flowId, flow.id));
    expect(versions).toHaveLength(1);
    expect((await ada.caller.flows.create({ name: "Original" })).slug).toBe("original");
    expect(await t.auditActions(ada.orgId)).toEqual(
      expect.arrayContaining(["flow.duplicated", "flow.deleted"]),
    );
  });

  it("export → import round-trips a flow as a new flow; import validates the document and evaluates nothing", async () => {
    const ada = await t.user("Ada");
    const flow = await ada.caller.flows.create({ name: "Portable", description: "moves" });
    await ada.caller.flows.saveDraft({
      id: flow.id,
      definition: goodDefinition("{{ trigger.name }}"),
    });
    await ada.caller.flows.publish({ id: flow.id });
    await ada.caller.flows.saveDraft({ id: flow.id, definition: goodDefinition("draft") });

    const draftDoc = await ada.caller.flows.export({ id: flow.id });
    expect(draftDoc).toMatchObject({
      format: "runnel.flow",
      formatVersion: 1,
      name: "Portable",
      description: "moves",
      sourceVersion: null,
    });
    const v1Doc = await ada.caller.flows.export({ id: flow.id, version: 1 });
    expect(JSON.stringify(v1Doc.definition)).toContain("{{ trigger.name }}");

    const eve = await t.user("Eve");
    const imported = await eve.caller.flows.import({
      document: JSON.parse(JSON.stringify(v1Doc)) as typeof v1Doc,
    });
    expect(imported).toMatchObject({ name: "Portable", slug: "portable", description: "moves" });
    const got = await eve.caller.flows.get({ id: imported.id });
    expect(got.draft).toEqual(v1Doc.definition);
    expect(await t.auditActions(eve.orgId)).toContain("flow.imported");

    const bad = await failure(
      eve.caller.flows.import({
        document: {
          ...v1Doc,
          formatVersion: 2,
          definition: { nodes: [{ id: "x" }], edges: [] },
        } as never,
      }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(Object.keys(bad.fieldErrors ?? {})).toEqual(
      expect.arrayContaining(["document.formatVersion", "document.definition.nodes.0.type"]),
    );
    const smuggled = await failure(
      eve.caller.flows.import({ document: { ...v1Doc, orgId: ada.orgId } as never }),
    );
    expect(smuggled.code).toBe("BAD_REQUEST");

    // A hostile expression is stored as text, never evaluated at import.
    const hostile = goodDefinition(
      "{{ this.constructor.constructor('return process')().exit(1) }}",
    );
    const stored = await eve.caller.flows.import({
      document: { ...v1Doc, definition: hostile },
      name: "Hostile",
    });
    const validation = await eve.caller.flows.validate({ id: stored.id });
    expect(validation.ok).toBe(false);
    expect(validation.problems.map((p) => p.code)).toContain("expression_syntax");
    expect((await eve.caller.flows.list()).items).toHaveLength(2);
  });

  it("viewers read but cannot write; another org's ids answer NOT_FOUND with no side effect; orgId in a body is refused", async () => {
    const ada = await t.user("Ada");
    const vi = await t.user("Vi");
    const eve = await t.user("Eve");
    await t.addMember(ada.orgId, vi.userId, "viewer");
    const flow = await ada.caller.flows.create({ name: "Guarded" });
    await ada.caller.flows.saveDraft({ id: flow.id, definition: goodDefinition() });
    await ada.caller.flows.publish({ id: flow.id });
    const snapshot = async () => ({
      flow: await t.db.select().from(flows).where(eq(flows.id, flow.id)),
      versions: await t.db
        .select()
        .from(flowVersions)
        .where(and(eq(flowVersions.flowId, flow.id))),
      flowsOfOrg: await t.db.select().from(flows).where(eq(flows.orgId, ada.orgId)),
    });
    const before = await snapshot();

    const asVi = await t.caller({ userId: vi.userId, org: ada.orgId });
    expect((await asVi.flows.list()).items.map((f) => f.id)).toEqual([flow.id]);
    expect((await asVi.flows.get({ id: flow.id })).id).toBe(flow.id);
    expect((await asVi.flows.validate({ id: flow.id })).ok).toBe(true);
    expect((await asVi.flows.export({ id: flow.id })).name).toBe("Guarded");
    const writes = (c: typeof asVi) => ({
      create: () => c.flows.create({ name: "x" }),
      saveDraft: () => c.flows.saveDraft({ id: flow.id, definition: goodDefinition("changed") }),
      publish: () => c.flows.publish({ id: flow.id }),
      duplicate: () => c.flows.duplicate({ id: flow.id }),
      delete: () => c.flows.delete({ id: flow.id }),
      import: () =>
        c.flows.import({
          document: {
            format: "runnel.flow",
            formatVersion: 1,
            name: "i",
            definition: goodDefinition(),
          },
        }),
    });
    for (const call of Object.values(writes(asVi)))
      expect((await failure(call())).code).toBe("FORBIDDEN");

    const reads = [
      () => eve.caller.flows.get({ id: flow.id }),
      () => eve.caller.flows.validate({ id: flow.id }),
      () => eve.caller.flows.versions({ id: flow.id }),
      () => eve.caller.flows.version({ id: flow.id, number: 1 }),
      () => eve.caller.flows.diff({ id: flow.id, from: 1, to: "draft" }),
      () => eve.caller.flows.export({ id: flow.id }),
    ];
    for (const call of reads) expect((await failure(call())).code).toBe("NOT_FOUND");
    const { saveDraft, publish, duplicate, delete: remove } = writes(eve.caller);
    for (const call of [saveDraft, publish, duplicate, remove]) {
      expect((await failure(call())).code).toBe("NOT_FOUND");
    }
    expect((await eve.caller.flows.list()).items).toEqual([]);

    const smuggled = await failure(
      eve.caller.flows.create({ name: "smuggled", orgId: ada.orgId } as never),
    );
    expect(smuggled.code).toBe("BAD_REQUEST");
    expect(await snapshot()).toEqual(before);
  });
});
