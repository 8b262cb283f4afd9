import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { verifyApiKey } from "@runnel/auth";
import { applyMigrations, createDb, eq } from "@runnel/db";
import { auditLog, flowVersions } from "@runnel/db/schema";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SLOW = 240_000;

let work: string;
let dataDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `pnpm runnel` does (tsx, cwd packages/api, the user's folder in INIT_CWD). */
function cli(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      {
        cwd: packageDir,
        env: { ...process.env, DATABASE_URL: "", RUNNEL_DATA_DIR: dataDir, INIT_CWD: work },
        timeout: SLOW,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? "");
  });
}

function flowDocument(nodes: unknown[], edges: unknown[] = []) {
  return JSON.stringify({
    format: "runnel.flow",
    formatVersion: 1,
    name: "Imported",
    definition: { nodes, edges },
  });
}

const trigger = { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} };
const step = { id: "greet", type: "set", version: 1, name: "Greet", config: {} };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "runnel-cli-"));
  dataDir = join(work, "data");
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("runnel CLI", () => {
  it("prints help, and exits 2 on an unknown command or option", { timeout: SLOW }, async () => {
    const help = await cli(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("keys create --org <slug> --name <name>");
    const unknown = await cli(["flows", "launch"]);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('unknown command "flows launch"');
    const badOption = await cli(["orgs", "list", "--colour"]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/Unknown option '--colour'/);
  });

  it(
    "users create → orgs list → keys create → flows import → publish → export, as JSON, on the app's database",
    async () => {
      const user = await cli(
        [
          "users",
          "create",
          "--email",
          "ops@example.com",
          "--password-stdin",
          "--name",
          "Ops",
          "--json",
        ],
        "correct-horse-9\n",
      );
      expect(user.stderr).toBe("");
      expect(user.code).toBe(0);
      const created = JSON.parse(user.stdout) as { userId: string; org: { slug: string } };
      expect(created.org.slug).toBe("ops-s-org");

      const taken = await cli([
        "users",
        "create",
        "--email",
        "OPS@example.com",
        "--password",
        "another-pass-1",
      ]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain("already exists");

      const orgsList = JSON.parse((await cli(["orgs", "list", "--json"])).stdout) as {
        slug: string;
        members: number;
      }[];
      expect(orgsList).toEqual([expect.objectContaining({ slug: "ops-s-org", members: 1 })]);

      const keyRun = await cli([
        "keys",
        "create",
        "--org",
        "ops-s-org",
        "--name",
        "deploy bot",
        "--json",
      ]);
      expect(keyRun.code).toBe(0);
      const key = JSON.parse(keyRun.stdout) as { key: string; prefix: string; id: string };
      expect(key.key).toMatch(/^rk_/);
      const readOnly = await cli([
        "keys",
        "create",
        "--org",
        "ops-s-org",
        "--name",
        "dash",
        "--scopes",
        "runs:read",
        "--json",
      ]);
      expect(JSON.parse(readOnly.stdout)).toMatchObject({ scopes: ["runs:read"] });
      const badScope = await cli([
        "keys",
        "create",
        "--org",
        "ops-s-org",
        "--name",
        "x",
        "--scopes",
        "runs:admin",
      ]);
      expect(badScope.code).toBe(2);
      expect(badScope.stderr).toContain("unknown: runs:admin");

      writeFileSync(
        join(work, "flow.json"),
        flowDocument(
          [trigger, step],
          [{ id: "e1", source: "start", sourcePort: "out", target: "greet", targetPort: "in" }],
        ),
      );
      const imported = await cli([
        "flows",
        "import",
        "flow.json",
        "--org",
        "ops-s-org",
        "--name",
        "Greeter",
        "--json",
      ]);
      expect(imported.code).toBe(0);
      const flow = JSON.parse(imported.stdout) as { id: string; slug: string };
      expect(flow.slug).toBe("greeter");

      const published = await cli([
        "flows",
        "publish",
        flow.id,
        "--message",
        "from the CLI",
        "--json",
      ]);
      expect(published.code).toBe(0);
      expect(JSON.parse(published.stdout)).toMatchObject({
        flowId: flow.id,
        number: 1,
        message: "from the CLI",
      });

      const exported = await cli(["flows", "export", flow.id, "--version", "1"]);
      expect(exported.code).toBe(0);
      expect(JSON.parse(exported.stdout)).toMatchObject({
        format: "runnel.flow",
        name: "Greeter",
        sourceVersion: 1,
        definition: {
          nodes: [
            expect.objectContaining({ id: "start" }),
            expect.objectContaining({ id: "greet" }),
          ],
        },
      });

      // The server (here: this process, after the CLI has exited) sees it all.
      const handle = await createDb({ dataDir });
      try {
        await applyMigrations(handle);
        expect(await verifyApiKey(handle.db, key.key)).toMatchObject({
          id: key.id,
          name: "deploy bot",
        });
        expect(
          await handle.db.select().from(flowVersions).where(eq(flowVersions.flowId, flow.id)),
        ).toHaveLength(1);
        const audit = await handle.db.select().from(auditLog).where(eq(auditLog.targetId, flow.id));
        expect(audit.map((a) => [a.action, a.metadata.via, a.actorUserId])).toEqual(
          expect.arrayContaining([
            ["flow.imported", "cli", null],
            ["flow.published", "cli", null],
          ]),
        );
      } finally {
        await handle.close();
      }
    },
    SLOW * 2,
  );

  it(
    "reports bad documents, non-compiling flows and runs without a server URL with exit code 1",
    async () => {
      writeFileSync(
        join(work, "bad.json"),
        JSON.stringify({
          format: "runnel.flow",
          formatVersion: 3,
          name: "",
          definition: { nodes: [{ id: "X" }] },
        }),
      );
      const qa = await cli([
        "users",
        "create",
        "--email",
        "qa@example.com",
        "--password",
        "correct-horse-9",
      ]);
      expect(qa.stdout).toContain("Personal org: qa-s-org");
      const bad = await cli(["flows", "import", "bad.json", "--org", "qa-s-org"]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("is not a Runnel flow document");
      expect(bad.stderr).toContain("formatVersion: formatVersion must be 1");
      expect(bad.stderr).toContain("definition.nodes.0.id:");

      writeFileSync(
        join(work, "incomplete.json"),
        flowDocument([trigger, { ...step, id: "lonely" }]),
      );
      const imported = await cli([
        "flows",
        "import",
        "incomplete.json",
        "--org",
        "qa-s-org",
        "--json",
      ]);
      const { id } = JSON.parse(imported.stdout) as { id: string };
      const refused = await cli(["flows", "publish", id]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("does not compile (1 problem); nothing was published");
      expect(refused.stderr).toContain("lonely nodes.1: lonely cannot be reached from any trigger");

      const runs = await cli(["runs", "start", id, "--input", "{}", "--json"]);
      expect(runs.code).toBe(1);
      expect((JSON.parse(runs.stderr) as { error: string }).error).toContain(
        "held by the running server",
      );
      expect((await cli(["flows", "publish", "no-such-flow"])).stderr).toContain(
        "no flow with the id no-such-flow",
      );
    },
    SLOW * 2,
  );

  it(
    "refuses with a clear message while another process (the server) holds the PGlite folder",
    async () => {
      const server = await createDb({ dataDir });
      try {
        const run = await cli(["orgs", "list"]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`is in use by process ${process.pid}`);
        expect(run.stderr).toContain("stop the server");
      } finally {
        await server.close();
      }
      expect((await cli(["orgs", "list"])).code).toBe(0);
    },
    SLOW * 2,
  );
});
