/**
 * Open event streams end when their session or key stops counting (docs/security.md, "Open streams"), over real
 * HTTP: next-auth's routes, tRPC (`runs.watch` as an event stream) and REST v1 behind one loopback server, wired as
 * apps/web wires them. Each stream watches a run waiting on an approval, so only a revocation can end it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlowDefinitionInput } from "@runnel/engine";

import type { LoopbackServer } from "../rest/serve.fixtures";
import type { EngineHarness } from "../router/runs.fixtures";
import { PASSWORD } from "../../test/harness";
import { CookieBrowser, serveSignedInApp } from "../../test/signed-in-server";
import { createRestHandler } from "../rest/handler";
import { createEngineHarness, publishedFlow } from "../router/runs.fixtures";
import { transformer } from "../transformer";
import { ORG_HEADER } from "../trpc";
import { STREAM_ACCESS_CHECK_MS } from "./stream-access";

/** The promise: a stream ends within this of the revocation (the re-check interval plus a query and slack). */
const END_WITHIN_MS = 2_000;

let h: EngineHarness;
let server: LoopbackServer;

beforeAll(async () => {
  h = await createEngineHarness();
  const deps = {
    db: h.db,
    engine: h.engine,
    encryptionKey: h.encryptionKey,
    appUrl: "http://localhost:3000",
  };
  server = await serveSignedInApp({ ...deps, rest: createRestHandler(deps) });
});
afterAll(async () => {
  await server.close();
  await h.close();
});

/** A browser that also sends tRPC mutations with its cookies. */
class Browser extends CookieBrowser {
  constructor() {
    super(() => server.url);
  }

  /** A tRPC mutation as the browser sends it. */
  async mutate(path: string, input: unknown, org?: string): Promise<unknown> {
    const response = await fetch(`${server.url}/api/trpc/${path}`, {
      method: "POST",
      headers: {
        cookie: this.cookie(),
        "content-type": "application/json",
        ...(org ? { [ORG_HEADER]: org } : {}),
      },
      body: JSON.stringify(transformer.serialize(input)),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return transformer.deserialize((JSON.parse(text) as { result: { data: never } }).result.data);
  }
}

interface SseEvent {
  event: string | undefined;
  data: string;
}

/** An open event stream read in the background: its events so far, and when (if) it ended. */
class OpenStream {
  readonly events: SseEvent[] = [];
  endedAt: number | undefined;
  readonly ended: Promise<void>;
  private readonly controller = new AbortController();

  constructor(url: string, headers: Record<string, string>) {
    this.ended = this.read(url, headers);
  }

  private async read(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const response = await fetch(url, {
        headers: { ...headers, accept: "text/event-stream" },
        signal: this.controller.signal,
      });
      if (response.status !== 200 || !response.body)
        throw new Error(`stream refused: ${response.status} ${await response.text()}`);
      let buffer = "";
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          if (data !== "") this.events.push({ event: /^event: ?(.*)$/m.exec(block)?.[1], data });
        }
      }
    } catch (error) {
      if (!this.controller.signal.aborted) throw error;
    } finally {
      this.endedAt ??= Date.now();
    }
  }

  /** Resolves once the stream delivered an event of the run (it is open and past its first read). */
  async opened(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.events.some((e) => e.data.includes('"seq":1'))) {
      if (this.endedAt !== undefined)
        throw new Error(`ended early: ${JSON.stringify(this.events)}`);
      if (Date.now() > deadline) throw new Error("no event within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): Promise<void> {
    this.controller.abort();
    return this.ended;
  }
}

const waitingFlow = (assignee: string): FlowDefinitionInput => ({
  nodes: [
    { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {} },
    {
      id: "ask",
      type: "approval",
      version: 1,
      name: "Ask",
      config: { assignees: [assignee], message: "Ok?" },
    },
  ],
  edges: [{ id: "e", source: "start", sourcePort: "out", target: "ask", targetPort: "in" }],
});

/** A run of `orgId` that waits on an approval, so its event stream stays open. */
async function waitingRun(
  user: Awaited<ReturnType<EngineHarness["user"]>>,
  orgId = user.orgId,
): Promise<string> {
  const caller = await h.caller({ userId: user.userId, org: orgId });
  const flowId = await publishedFlow(caller, `Waits ${Math.random()}`, waitingFlow(user.email));
  const { id } = await caller.runs.start({ flowId, input: {} });
  await h.waitFor(orgId, id, (status) => status === "waiting");
  return id;
}

function watchUrl(runId: string): string {
  const input = encodeURIComponent(JSON.stringify(transformer.serialize({ id: runId })));
  return `${server.url}/api/trpc/runs.watch?input=${input}`;
}

/** A tRPC watch of `runId` from `browser` (acting in `org`). */
function watch(browser: Browser, runId: string, org?: string): OpenStream {
  return new OpenStream(watchUrl(runId), {
    cookie: browser.cookie(),
    ...(org ? { [ORG_HEADER]: org } : {}),
  });
}

/** Expects `stream` to end within END_WITHIN_MS of `since` with the error its transport sends. */
async function expectEndedByRevocation(
  stream: OpenStream,
  since: number,
  transport: "trpc" | "rest",
): Promise<number> {
  await Promise.race([
    stream.ended,
    new Promise((resolve) => setTimeout(resolve, END_WITHIN_MS + 3_000)),
  ]);
  expect(stream.endedAt, "the stream is still open").toBeDefined();
  const took = (stream.endedAt ?? Infinity) - since;
  expect(took).toBeLessThanOrEqual(END_WITHIN_MS);
  const last = stream.events.at(-1);
  if (transport === "trpc") {
    expect(last?.event).toBe("serialized-error");
    expect(last?.data).toContain("UNAUTHORIZED");
  } else {
    expect(last?.event).toBe("error");
    expect(JSON.parse(last?.data ?? "{}")).toMatchObject({ status: 401 });
  }
  expect(last?.data).toContain("This stream was closed");
  console.info(`${transport} stream ended ${took} ms after the revocation`);
  return took;
}

/** Expects `stream` to be open still (it has not ended and delivered no error). */
function expectOpen(stream: OpenStream): void {
  expect(stream.endedAt).toBeUndefined();
  expect(stream.events.map((e) => e.event)).not.toContain("serialized-error");
}

describe("open streams end when their session or key is revoked (real HTTP)", () => {
  it("sign-out ends that browser's runs.watch; another user's stream stays open", async () => {
    const ada = await h.user("Ada");
    const bob = await h.user("Bob");
    const adaBrowser = await new Browser().signIn(ada.email);
    const adaPhone = await new Browser().signIn(ada.email);
    const bobBrowser = await new Browser().signIn(bob.email);
    const adaRun = await waitingRun(ada);
    const bobRun = await waitingRun(bob);
    const adaStream = watch(adaBrowser, adaRun);
    const phoneStream = watch(adaPhone, adaRun);
    const bobStream = watch(bobBrowser, bobRun);
    await Promise.all([adaStream.opened(), phoneStream.opened(), bobStream.opened()]);

    const revokedAt = Date.now();
    expect((await adaBrowser.signOut()).status).toBe(302);
    await expectEndedByRevocation(adaStream, revokedAt, "trpc");
    await new Promise((resolve) => setTimeout(resolve, STREAM_ACCESS_CHECK_MS * 1.5));
    expectOpen(phoneStream);
    expectOpen(bobStream);

    const everywhereAt = Date.now();
    await adaPhone.mutate("auth.signOutEverywhere", undefined);
    await expectEndedByRevocation(phoneStream, everywhereAt, "trpc");
    expectOpen(bobStream);
    await bobStream.close();
  });

  it("a password change ends the other browsers' streams, not this one's", async () => {
    const cy = await h.user("Cy");
    const here = await new Browser().signIn(cy.email);
    const elsewhere = await new Browser().signIn(cy.email);
    const run = await waitingRun(cy);
    const hereStream = watch(here, run);
    const elsewhereStream = watch(elsewhere, run);
    await Promise.all([hereStream.opened(), elsewhereStream.opened()]);

    await here.mutate("auth.changePassword", {
      currentPassword: PASSWORD,
      newPassword: "a-new-password-2",
    });
    // Timed from the answer: the call spends most of its time hashing the password before it ends the sessions.
    const changedAt = Date.now();
    await expectEndedByRevocation(elsewhereStream, changedAt, "trpc");
    expectOpen(hereStream);
    await hereStream.close();
  });

  it("a member removed from the org loses their stream of its run; the owner's stays", async () => {
    const olga = await h.user("Olga");
    const max = await h.user("Max");
    await h.member(olga.orgId, max.userId, "editor");
    const olgaBrowser = await new Browser().signIn(olga.email);
    const maxBrowser = await new Browser().signIn(max.email);
    const run = await waitingRun(olga);
    const olgaStream = watch(olgaBrowser, run);
    const maxStream = watch(maxBrowser, run, olga.orgId);
    await Promise.all([olgaStream.opened(), maxStream.opened()]);

    const removedAt = Date.now();
    await olgaBrowser.mutate("orgs.removeMember", { userId: max.userId });
    await expectEndedByRevocation(maxStream, removedAt, "trpc");
    expectOpen(olgaStream);
    await olgaStream.close();
  });

  it("a revoked API key ends its REST event stream and its runs.watch; another key's stream stays", async () => {
    const pia = await h.user("Pia");
    const revoked = await pia.caller.apiKeys.create({ name: "revoked" });
    const kept = await pia.caller.apiKeys.create({ name: "kept" });
    const run = await waitingRun(pia);
    const eventsUrl = `${server.url}/api/v1/runs/${run}/events`;
    const restStream = new OpenStream(eventsUrl, { authorization: `Bearer ${revoked.key}` });
    const trpcStream = new OpenStream(watchUrl(run), { authorization: `Bearer ${revoked.key}` });
    const keptStream = new OpenStream(eventsUrl, { authorization: `Bearer ${kept.key}` });
    await Promise.all([restStream.opened(), trpcStream.opened(), keptStream.opened()]);

    const revokedAt = Date.now();
    await pia.caller.apiKeys.revoke({ id: revoked.id });
    await expectEndedByRevocation(restStream, revokedAt, "rest");
    await expectEndedByRevocation(trpcStream, revokedAt, "trpc");
    expectOpen(keptStream);

    // The stream still delivers: deciding the approval ends it with the run's last event.
    const [approval] = (await pia.caller.approvals.pending()).filter((a) => a.runId === run);
    await pia.caller.approvals.decide({ id: approval?.id ?? "", decision: "approve" });
    await keptStream.ended;
    expect(keptStream.events.at(-1)?.event).toBe("run.succeeded");
  });
});
