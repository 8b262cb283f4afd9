/**
 * `runnel runs start|get` as a child process, both ways a run can be started from outside the server:
 * - over the server's REST API (--url, --api-key): a real REST handler on 127.0.0.1 with the embedded executor in
 *   this process, on PGlite (what the embedded default needs, since the server holds the PGlite folder);
 * - directly on a Postgres server database (DATABASE_URL): the CLI commits the run with its start request, and the
 *   app (the production runtime in "inngest" mode, in this process) delivers it from the outbox to a standalone
 *   executor (`pnpm --filter @runnel/executor start`, spawned here) that calls the app's runFlow; only where
 *   TEST_DATABASE_URL names a server (the CI's test:db phase).
 */
import type { ChildProcess } from "node:child_process";
import type { AddressInfo } from "node:net";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import type { FlowDefinitionInput } from "@runnel/engine";
import { createTestDb } from "@runnel/db/testing";
import { routeHandler, startRuntime } from "@runnel/runtime";

import type { LoopbackServer } from "../rest/serve.fixtures";
import type { EngineHarness } from "../router/runs.fixtures";
import { createRestHandler } from "../rest/handler";
import { serveOnLoopback } from "../rest/serve.fixtures";
import { appRouter } from "../root";
import { createEngineHarness, publishedFlow } from "../router/runs.fixtures";
import { createCallerFactory, createTRPCContext } from "../trpc";
import { EXIT_STILL_RUNNING } from "./runs";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const repoRoot = join(packageDir, "..", "..");
const SLOW = 240_000;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `pnpm runnel` does, with exactly the given Runnel settings. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const clean = { ...process.env };
  for (const name of Object.keys(clean)) {
    if (name.startsWith("INNGEST_") || name.startsWith("RUNNEL_") || name === "DATABASE_URL")
      delete clean[name];
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: packageDir, env: { ...clean, ...env }, timeout: SLOW },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourcePort: "out",
  target,
  targetPort: "in",
});

/** manual trigger (input { name }) → set greeting → code: throws when name is "boom". */
const greetFlow: FlowDefinitionInput = {
  nodes: [
    {
      id: "start",
      type: "manual_trigger",
      version: 1,
      name: "Start",
      config: {
        inputSchema: {
          type: "object",
          properties: { name: { type: "string" } },
          required: ["name"],
        },
      },
    },
    {
      id: "greet",
      type: "set",
      version: 1,
      name: "Greet",
      config: { keep: "none", fields: [{ name: "greeting", value: "hello {{ trigger.name }}" }] },
    },
    {
      id: "check",
      type: "code",
      version: 1,
      name: "Check",
      config: {
        code: 'if (input.greeting === "hello boom") throw new Error("no booms"); return { loud: input.greeting.toUpperCase() };',
      },
    },
  ],
  edges: [edge("start", "greet"), edge("greet", "check")],
};

interface RunJson {
  id: string;
  status: string;
  output: unknown;
  failedNodeId: string | null;
  steps: { nodeId: string; status: string }[];
}

describe("runs over the server's REST API (embedded default)", () => {
  let h: EngineHarness;
  let server: LoopbackServer;
  let key: string;
  let flowId: string;
  let slug: string;

  beforeAll(async () => {
    h = await createEngineHarness();
    server = await serveOnLoopback(
      createRestHandler({
        db: h.db,
        engine: h.engine,
        encryptionKey: h.encryptionKey,
        appUrl: "http://localhost:3000",
      }),
    );
    const ada = await h.user("Ada");
    flowId = await publishedFlow(ada.caller, "Greeter", greetFlow);
    slug = (await ada.caller.deployments.publish({ flowId })).slug;
    key = (await ada.caller.apiKeys.create({ name: "cli" })).key;
  }, SLOW);
  afterAll(async () => {
    await server.close();
    await h.close();
  });

  const remote = () => ({ RUNNEL_URL: server.url, RUNNEL_API_KEY: key });

  it(
    "starts a run, waits for it and prints its output; runs get reads it back",
    async () => {
      const started = await cli(
        ["runs", "start", slug, "--input", '{"name":"ada"}', "--wait", "60", "--json"],
        remote(),
      );
      expect(started.stderr).toBe("");
      expect(started.code).toBe(0);
      const run = JSON.parse(started.stdout) as RunJson;
      expect(run).toMatchObject({ status: "succeeded", output: { loud: "HELLO ADA" } });
      expect(run.steps.map((s) => s.nodeId)).toEqual(["start", "greet", "check"]);

      // Flags instead of the environment, by flow id, human output, then runs get.
      const human = await cli([
        "runs",
        "start",
        flowId,
        "--input",
        '{"name":"grace"}',
        "--wait",
        "60",
        "--url",
        server.url,
        "--api-key",
        key,
      ]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^Run \S+: succeeded in \d+ ms/);
      expect(human.stdout).toContain('"loud": "HELLO GRACE"');

      const got = await cli(["runs", "get", run.id, "--json"], remote());
      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ id: run.id, status: "succeeded" });
    },
    SLOW,
  );

  it(
    "exits 1 when the run fails, naming the node; a bad input names the field and starts nothing",
    async () => {
      const failed = await cli(
        ["runs", "start", slug, "--input", '{"name":"boom"}', "--wait", "60", "--json"],
        remote(),
      );
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout)).toMatchObject({ status: "failed", failedNodeId: "check" });
      expect((JSON.parse(failed.stderr) as { error: string }).error).toMatch(
        /failed at node check: .*no booms/,
      );

      const bad = await cli(["runs", "start", slug, "--input", '{"name":7}'], remote());
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("answered 400");
      expect(bad.stderr).toMatch(/name: /);

      const queued = await cli(["runs", "start", slug, "--input", '{"name":"later"}'], remote());
      expect(queued.code).toBe(0);
      expect(queued.stdout).toMatch(/^Started run \S+ \(queued\)/);
    },
    SLOW,
  );

  it(
    "a wait that runs out exits 3; unknown runs and flows, bad keys and unreachable servers are clear errors",
    async () => {
      const still = await cli(
        ["runs", "start", slug, "--input", '{"name":"slow"}', "--wait", "0.001"],
        remote(),
      );
      // Rarely the run ends within the first poll; then it exits 0.
      expect([0, EXIT_STILL_RUNNING]).toContain(still.code);
      if (still.code === EXIT_STILL_RUNNING)
        expect(still.stderr).toMatch(/is still \w+ after 0.001 s/);

      const unknownRun = await cli(["runs", "get", "run_nope"], remote());
      expect(unknownRun).toMatchObject({ code: 1 });
      expect(unknownRun.stderr).toContain(`no run run_nope in the server at ${server.url}`);
      const unknownFlow = await cli(["runs", "start", "nope", "--input", "{}"], remote());
      expect(unknownFlow.stderr).toContain('answered 404: No deployed flow "nope" in this org');
      const badKey = await cli(["runs", "get", "x"], { ...remote(), RUNNEL_API_KEY: "rk_wrong" });
      expect(badKey.stderr).toContain("answered 401");
      const down = await cli(["runs", "get", "x"], {
        ...remote(),
        RUNNEL_URL: "http://127.0.0.1:9",
      });
      expect(down.stderr).toContain("cannot reach the server at http://127.0.0.1:9");
      const noKey = await cli(["runs", "get", "x", "--url", server.url]);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toContain("an API key is needed");
      const badJson = await cli(["runs", "start", slug, "--input", "{nope"], remote());
      expect(badJson.code).toBe(2);
      expect(badJson.stderr).toContain("--input is not JSON");
    },
    SLOW,
  );

  it("without a server URL, says how to reach the server's runs, or that the database is unreachable", async () => {
    const embedded = await cli(["runs", "start", slug, "--org", "x", "--input", "{}"], {
      RUNNEL_DATA_DIR: join(packageDir, ".no-such-data"),
    });
    expect(embedded.code).toBe(1);
    expect(embedded.stderr).toContain("held by the running server");
    expect(embedded.stderr).toContain("--url <server URL> --api-key <key>");
    const unreachable = await cli(["runs", "start", slug, "--org", "x", "--input", "{}"], {
      DATABASE_URL: "postgres://nobody@127.0.0.1:9/none",
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("the database");
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Spawns the standalone executor and resolves once it listens. */
function startExecutor(databaseUrl: string, port: number, sdkUrl: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "pnpm",
      [
        "--silent",
        "--filter",
        "@runnel/executor",
        "start",
        "--port",
        String(port),
        "--database-url",
        databaseUrl,
        "--sdk-url",
        sdkUrl,
        "--poll-ms",
        "50",
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    let log = "";
    const timer = setTimeout(
      () => reject(new Error(`the executor did not start:\n${log}`)),
      120_000,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("synced")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`the executor exited (${code}):\n${log}`)));
  });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "runs on a Postgres server database, sent to a standalone executor",
  () => {
    let db: TestDb;
    let app: LoopbackServer;
    let executor: ChildProcess | undefined;
    let executorUrl: string;
    let close: () => Promise<void>;
    let orgSlug: string;
    let slug: string;

    beforeAll(async () => {
      db = await createTestDb({ driver: "pg" });
      if (!db.url) throw new Error("the server test database has no url");
      const port = await freePort();
      executorUrl = `http://127.0.0.1:${port}`;
      // The app: the production runtime in "inngest" mode, its /api/inngest route served to the executor.
      const runtime = await startRuntime({
        handle: db,
        databaseUrl: db.url,
        masterKey: randomBytes(32),
        mode: { kind: "inngest", baseUrl: executorUrl, isDev: true },
        functions: { schedulerCron: false },
        log: () => undefined,
      });
      if (!runtime.route) throw new Error("the runtime in inngest mode serves no route");
      app = await serveOnLoopback(routeHandler(runtime.route));
      executor = await startExecutor(db.url, port, `${app.url}/api/inngest`);
      close = () => runtime.stop();

      const createCaller = createCallerFactory(appRouter);
      const context = (userId?: string) =>
        createTRPCContext({
          headers: new Headers(),
          db: db.db,
          session: userId ? { userId } : null,
          encryptionKey: randomBytes(32),
          appUrl: "http://localhost:3000",
        });
      const email = `ops-${randomBytes(3).toString("hex")}@example.com`;
      const { userId } = await createCaller(await context()).auth.signUp({
        name: "Ops",
        email,
        password: "correct-horse-9",
      });
      const caller = createCaller(await context(userId));
      const me = await caller.me.get();
      orgSlug = me.activeOrg.slug;
      const flowId = await publishedFlow(caller, "Greeter", greetFlow);
      slug = (await caller.deployments.publish({ flowId })).slug;
    }, SLOW);
    afterAll(async () => {
      if (executor?.pid) process.kill(-executor.pid, "SIGTERM");
      await app.close();
      await close();
      await db.close();
    });

    it(
      "commits the run in the database, the app's dispatcher sends it to the executor, --wait prints the output; runs get reads it",
      async () => {
        // No executor settings: the CLI commits the run and its start request; the app's dispatcher delivers it.
        const env = { DATABASE_URL: db.url ?? "" };
        const started = await cli(
          [
            "runs",
            "start",
            slug,
            "--org",
            orgSlug,
            "--input",
            '{"name":"pg"}',
            "--wait",
            "60",
            "--json",
          ],
          env,
        );
        expect(started.stderr).toBe("");
        expect(started.code).toBe(0);
        const run = JSON.parse(started.stdout) as RunJson;
        expect(run).toMatchObject({ status: "succeeded", output: { loud: "HELLO PG" } });

        const got = await cli(["runs", "get", run.id], env);
        expect(got.code).toBe(0);
        expect(got.stdout).toContain(`Run ${run.id}: succeeded`);

        const bad = await cli(["runs", "start", slug, "--org", orgSlug, "--input", "{}"], env);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain("--input does not match the input schema");
        const noOrg = await cli(["runs", "start", slug, "--input", "{}"], env);
        expect(noOrg.code).toBe(2);
      },
      SLOW,
    );
  },
);
