import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

import { describeEachDriver } from "@runnel/db/testing";

import type { RunEvent } from "../runs/event-types";
import { seedFlowVersion } from "../runs/fixtures";
import { createRunStore } from "../runs/run-store";
import { createPgEventBus } from "./pg";

const child = fileURLToPath(new URL("./fixtures/append-events.ts", import.meta.url));

function runChild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, ...args], {
      stdio: ["ignore", "inherit", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on("error", reject);
    proc.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`append-events exited with ${code}: ${stderr}`)),
    );
  });
}

describeEachDriver(
  "run events across processes",
  (suite) => {
    it("streams, with no gap and no duplicate, what another process appends and publishes", async () => {
      const { url } = suite.handle;
      if (!url) throw new Error("the pg suite database has no url");
      const { orgId, flowVersionId } = await seedFlowVersion(suite.db);
      const bus = await createPgEventBus({ db: suite.db, url });
      const store = createRunStore({ db: suite.db, bus });
      const { run } = await store.createRun(orgId, { flowVersionId, triggerKind: "api" });
      try {
        const seen: RunEvent[] = [];
        const streaming = (async () => {
          for await (const event of bus.subscribe(orgId, run.id, { pollIntervalMs: 60_000 })) {
            seen.push(event);
          }
        })();
        await store.markRunStatus(orgId, run.id, "running");
        await Promise.all([
          runChild([url, orgId, run.id, "3", "20"]),
          runChild([url, orgId, run.id, "3", "20"]),
        ]);
        await store.markRunStatus(orgId, run.id, "succeeded", { output: { ok: true } });
        await streaming;
        // run.queued, run.running, 120 logs from the two processes, run.succeeded.
        expect(seen.map((event) => event.seq)).toEqual(
          Array.from({ length: 123 }, (_, index) => index + 1),
        );
        expect(seen.at(-1)?.type).toBe("run.succeeded");
        const writers = new Set(
          seen.flatMap((event) =>
            event.type === "log" && "message" in event.payload
              ? [String(event.payload.message).split(":")[0]]
              : [],
          ),
        );
        expect(writers.size).toBe(2);
        expect(bus.activeSubscriptions).toBe(0);
      } finally {
        await bus.close();
      }
    }, 60_000);
  },
  { drivers: ["pg"] },
);
