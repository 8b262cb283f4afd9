/**
 * The attack sweep: every procedure of the app router (enumerated from `appRouter._def.procedures`, so a new one is
 * swept as soon as it is registered) is called through `createCaller` and over real HTTP with no auth, as another
 * org (session and API key) on this org's ids, as a viewer on every mutation, and with malformed bodies. Each must be
 * refused, leave the victim org's rows exactly as they were, and reveal none of its ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { EngineHarness } from "../router/runs.fixtures";
import type {
  HttpActor,
  Outcome,
  ProcedureType,
  SweepEntry,
  SweepServer,
  World,
} from "./sweep.fixtures";
import { createEngineHarness } from "../router/runs.fixtures";
import {
  callByPath,
  callOverHttp,
  listProcedures,
  PUBLIC_PROCEDURES,
  seedWorld,
  snapshotOrg,
  startServer,
  SWEEP_INPUTS,
  VIEWER_MUTATIONS_NOT_ROLE_GATED,
} from "./sweep.fixtures";

let t: EngineHarness;
let world: World;
let server: SweepServer;

beforeAll(async () => {
  t = await createEngineHarness({ httpAllow: ["127.0.0.1/32"] });
  world = await seedWorld(t);
  server = await startServer(t);
}, 180_000);
afterAll(async () => {
  await server.close();
  await world.provider.close();
  await world.mcpServer.close();
  await t.close();
});

const procedures = listProcedures();
const mutations = procedures.filter((p) => p.type === "mutation");

/** The HTTP status tRPC gives each code the sweep expects. */
const HTTP_STATUS: Record<string, number> = {
  OK: 200,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

function entryOf(path: string): SweepEntry {
  const entry = SWEEP_INPUTS[path];
  if (!entry) throw new Error(`SWEEP_INPUTS has no entry for ${path}: add a valid input for it`);
  return entry;
}

/** Who calls, in both transports. */
type Actor = HttpActor;

type Transport = "caller" | "http";

async function call(
  transport: Transport,
  actor: Actor,
  procedure: { path: string; type: ProcedureType },
  input: unknown,
): Promise<Outcome> {
  if (transport === "caller") {
    const caller = await t.caller(
      actor.kind === "session"
        ? { userId: actor.userId, ...(actor.org ? { org: actor.org } : {}) }
        : actor.kind === "apiKey"
          ? { apiKey: actor.key }
          : {},
    );
    return callByPath(caller, procedure.path, input);
  }
  const outcome = await callOverHttp(server, procedure.path, procedure.type, input, actor);
  const expected = HTTP_STATUS[outcome.code];
  // Subscriptions answer 200 and carry the error in the event stream.
  if (expected !== undefined && procedure.type !== "subscription") {
    expect(outcome.status, `${procedure.path} answered ${outcome.code}`).toBe(expected);
  }
  return outcome;
}

/** Every id of the victim org: none may appear in what another org's caller gets back. */
function victimIds(): string[] {
  const seed: Record<string, string> = { ...world.seed };
  return Object.values(seed);
}

describe("the sweep's input table", () => {
  it("has a valid input for every procedure, and none for procedures that no longer exist", () => {
    const paths = procedures.map((p) => p.path);
    expect(paths.filter((path) => !(path in SWEEP_INPUTS))).toEqual([]);
    expect(Object.keys(SWEEP_INPUTS).filter((path) => !paths.includes(path))).toEqual([]);
    expect(procedures.some((p) => p.type === "subscription")).toBe(true);
  });
});

describe.each<Transport>(["caller", "http"])("attack sweep through %s", (transport) => {
  it("(control) the org's owner gets an answer to every query and subscription of the table", async () => {
    const owner: Actor = { kind: "session", userId: world.seed.ownerId, org: world.seed.orgId };
    const failed: string[] = [];
    for (const procedure of procedures.filter((p) => p.type !== "mutation")) {
      const outcome = await call(
        transport,
        owner,
        procedure,
        entryOf(procedure.path).input(world.seed),
      );
      if (outcome.code !== "OK" && !PUBLIC_PROCEDURES.includes(procedure.path)) {
        failed.push(`${procedure.path} → ${outcome.code}`);
      }
    }
    expect(failed).toEqual([]);
  });

  it("(a) with no auth, every procedure but the reviewed public ones answers UNAUTHORIZED", async () => {
    const before = await snapshotOrg(t.db, world.seed.orgId);
    const answered: string[] = [];
    for (const procedure of procedures) {
      const outcome = await call(
        transport,
        { kind: "none" },
        procedure,
        entryOf(procedure.path).input(world.seed),
      );
      if (outcome.code !== "UNAUTHORIZED") answered.push(procedure.path);
    }
    expect(answered.sort()).toEqual([...PUBLIC_PROCEDURES].sort());
    expect(await snapshotOrg(t.db, world.seed.orgId)).toEqual(before);
  });

  it("(b) another org's session and API key get NOT_FOUND for this org's ids, change nothing and see nothing", async () => {
    const before = await snapshotOrg(t.db, world.seed.orgId);
    const attackers: { name: string; actor: Actor }[] = [
      // The session even asks for the victim org as its active org: membership is checked, so it acts in its own.
      {
        name: "session",
        actor: { kind: "session", userId: world.attacker.userId, org: world.seed.orgId },
      },
      { name: "API key", actor: { kind: "apiKey", key: world.attacker.apiKey } },
    ];
    const wrong: string[] = [];
    for (const { name, actor } of attackers) {
      for (const procedure of procedures) {
        const entry = entryOf(procedure.path);
        const outcome = await call(transport, actor, procedure, entry.input(world.seed));
        const label = `${name} ${procedure.path} → ${outcome.code}`;
        if (entry.foreign === "NOT_FOUND") {
          // An API key acts as editor and never as a person: admin-only and user-only procedures refuse it first.
          const accepted = actor.kind === "apiKey" ? ["NOT_FOUND", "FORBIDDEN"] : ["NOT_FOUND"];
          if (!accepted.includes(outcome.code)) wrong.push(label);
        }
        const revealed = victimIds().filter((id) =>
          JSON.stringify(outcome.result ?? null).includes(id),
        );
        if (revealed.length > 0) wrong.push(`${label} revealed ${revealed.join(", ")}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshotOrg(t.db, world.seed.orgId)).toEqual(before);
  });

  it("(c) a viewer gets FORBIDDEN on every mutation of the org and changes nothing", async () => {
    const before = await snapshotOrg(t.db, world.seed.orgId);
    const viewer: Actor = { kind: "session", userId: world.seed.viewerId, org: world.seed.orgId };
    const allowed: string[] = [];
    for (const procedure of mutations) {
      const outcome = await call(
        transport,
        viewer,
        procedure,
        entryOf(procedure.path).input(world.seed),
      );
      if (outcome.code !== "FORBIDDEN") allowed.push(procedure.path);
    }
    expect(allowed.sort()).toEqual([...VIEWER_MUTATIONS_NOT_ROLE_GATED].sort());
    expect(await snapshotOrg(t.db, world.seed.orgId)).toEqual(before);
  });

  it("malformed inputs (extra orgId, wrong types) answer BAD_REQUEST naming the field, and change nothing", async () => {
    const before = await snapshotOrg(t.db, world.seed.orgId);
    const owner: Actor = { kind: "session", userId: world.seed.ownerId, org: world.seed.orgId };
    const wrong: string[] = [];
    for (const procedure of procedures.filter((p) => p.hasInput)) {
      const valid = entryOf(procedure.path).input(world.seed);
      const base =
        typeof valid === "object" && valid !== null ? (valid as Record<string, unknown>) : {};

      const extra = await call(transport, owner, procedure, {
        ...base,
        orgId: world.attacker.orgId,
      });
      if (
        extra.code !== "BAD_REQUEST" ||
        !(extra.formErrors ?? []).some((m) => m.includes('"orgId"'))
      ) {
        wrong.push(
          `${procedure.path} with orgId → ${extra.code} ${JSON.stringify(extra.formErrors)}`,
        );
      }

      const field = Object.keys(base).find((key) =>
        ["string", "number", "boolean"].includes(typeof base[key]),
      );
      if (field === undefined) continue;
      const mistyped = await call(transport, owner, procedure, {
        ...base,
        [field]: { not: "this" },
      });
      if (mistyped.code !== "BAD_REQUEST" || !mistyped.fieldErrors?.[field]) {
        wrong.push(
          `${procedure.path} with ${field} an object → ${mistyped.code} ${JSON.stringify(mistyped.fieldErrors)}`,
        );
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshotOrg(t.db, world.seed.orgId)).toEqual(before);
  });
});
