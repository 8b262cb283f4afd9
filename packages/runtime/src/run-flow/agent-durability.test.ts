import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import type { FakeOpenAIServer, HitServer } from "@runnel/engine/testing";
import type { AgentResult } from "@runnel/nodes";
import { availableDrivers, createTestDb } from "@runnel/db/testing";
import { startFakeOpenAI, startHitServer } from "@runnel/engine/testing";

import { RUN_FLOW_BINDINGS } from "../testing";
import { chatMessages, scriptedAgentReply } from "./fixtures/agent-flows";
import { children, kill, startEngineProcess, until } from "./fixtures/engine-processes";

/**
 * kill -9 in the middle of an agent: a child process runs the agent (model at a fake OpenAI-compatible server in this
 * process, tools hitting a local server that counts). It is SIGKILLed while the agent's second tool call (a slow HTTP
 * request) is in flight, after two model calls and a flow tool call completed; a new process resumes the run. No
 * completed model call reaches the provider again, the completed flow tool does not run again, and only the call that
 * was in flight is repeated.
 */
let server: HitServer;
let provider: FakeOpenAIServer;
let work: string;
let serverDb: TestDb | undefined;
const TAG_KEY = "agent-kill";

const startEngine = (args: string[]) =>
  startEngineProcess("src/run-flow/fixtures/agent-process.ts", args);

/** Provider requests per turn, by how many tool results the conversation held. */
function requestsPerTurn(): number[] {
  const turns: number[] = [];
  for (const request of provider.requests) {
    const turn = chatMessages(request.body).filter((m) => m.role === "tool").length;
    turns[turn] = (turns[turn] ?? 0) + 1;
  }
  return turns;
}

beforeAll(async () => {
  server = await startHitServer();
  provider = await startFakeOpenAI({ reply: scriptedAgentReply(TAG_KEY) });
  work = mkdtempSync(join(tmpdir(), "runnel-agent-kill-"));
  if (availableDrivers().includes("pg")) serverDb = await createTestDb({ driver: "pg" });
}, 60_000);

afterAll(async () => {
  await Promise.all([...children].map(kill));
  await provider.close();
  await server.close();
  await serverDb?.close();
  rmSync(work, { recursive: true, force: true });
});

for (const runFlow of RUN_FLOW_BINDINGS) {
  const driver = availableDrivers().includes("pg") ? "pg" : "pglite";
  describe(`an agent (${runFlow}) survives kill -9 [${driver}]`, () => {
    it("resumes without repeating a completed model call or tool call", async () => {
      provider.requests.length = 0;
      const database = serverDb?.url
        ? ["--url", serverDb.url]
        : ["--data-dir", join(work, `pglite-${runFlow}`)];
      const options = [
        ...database,
        "--run-flow",
        runFlow,
        "--tag",
        runFlow,
        "--master-key",
        randomBytes(32).toString("hex"),
        "--hits",
        server.url,
        "--provider",
        provider.baseUrl,
      ];
      const lookup = `/slow/agent-lookup-${TAG_KEY}`;
      const child = `/count/agent-child-${runFlow}`;
      const before = { lookup: server.hits(lookup), child: server.hits(child) };

      const first = startEngine([...options, "--seed"]);
      const { ready } = await first.next("ready");
      if (!ready) throw new Error("no ready line");
      await until("the agent's HTTP tool call", () => server.hits(lookup) === before.lookup + 1);
      expect(requestsPerTurn()).toEqual([1, 1]);
      expect(server.hits(child)).toBe(before.child + 1);
      await kill(first.proc);

      const second = startEngine([...options, "--run-id", ready.runId, "--org-id", ready.orgId]);
      const { finished } = await second.next("finished");
      expect(finished?.error ?? null).toBeNull();
      expect(finished?.status).toBe("succeeded");
      expect((finished?.output as AgentResult).text).toBe("The answer is 42.");
      // Each model call reached the provider once; the flow tool's child run called out once.
      expect(requestsPerTurn()).toEqual([1, 1, 1]);
      expect(server.hits(child)).toBe(before.child + 1);
      // Only the tool call in flight at the kill ran again.
      expect(server.hits(lookup)).toBe(before.lookup + 2);
    }, 300_000);
  });
}
