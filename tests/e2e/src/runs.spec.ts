import { expect, request, test } from "@playwright/test";

import { mutate, query } from "./fixtures/trpc";
import { fillSignUp, person } from "./helpers";

/**
 * A flow runs inside `next start`: the embedded executor started by instrumentation.ts executes it. The API key
 * is made in the UI; everything else goes through tRPC over HTTP with `Authorization: Bearer` (superjson bodies).
 */

const definition = {
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
      position: { x: 0, y: 0 },
    },
    {
      id: "greet",
      type: "set",
      version: 1,
      name: "Greet",
      config: { keep: "none", fields: [{ name: "greeting", value: "hello {{ trigger.name }}" }] },
      position: { x: 200, y: 0 },
    },
    {
      id: "shout",
      type: "code",
      version: 1,
      name: "Shout",
      config: {
        code: "return { loud: input.greeting.toUpperCase(), length: input.greeting.length };",
      },
      position: { x: 400, y: 0 },
    },
  ],
  edges: [
    { id: "e1", source: "start", sourcePort: "out", target: "greet", targetPort: "in" },
    { id: "e2", source: "greet", sourcePort: "out", target: "shout", targetPort: "in" },
  ],
};

interface RunView {
  status: string;
  output: unknown;
  error: unknown;
  steps: { nodeId: string; status: string; output: unknown }[];
}

test("a published flow started over the API runs to the end on the embedded executor", async ({
  page,
  baseURL,
}) => {
  await page.goto("/sign-up");
  await fillSignUp(page, person("Runa"));
  await expect(page.getByRole("heading", { name: /^Welcome, Runa/ })).toBeVisible();

  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("runner");
  await page.getByRole("button", { name: "Create key" }).click();
  const keyField = page.getByLabel("New API key", { exact: true });
  await expect(keyField).toHaveValue(/^rk_/);
  const key = await keyField.inputValue();
  await page.getByRole("button", { name: "Done" }).click();

  const api = await request.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${key}` },
  });
  try {
    const flow = await mutate<{ id: string }>(api, "flows.create", { name: "Shouter" });
    await mutate(api, "flows.saveDraft", { id: flow.id, definition });
    await mutate(api, "flows.publish", { id: flow.id, message: "first" });
    const started = await mutate<{ id: string; status: string }>(api, "runs.start", {
      flowId: flow.id,
      input: { name: "runa" },
    });
    expect(started.status).toBe("queued");

    let run: RunView | undefined;
    await expect
      .poll(
        async () => {
          run = await query<RunView>(api, "runs.get", { id: started.id });
          return run.status;
        },
        { timeout: 45_000, intervals: [250, 500, 1000] },
      )
      .toBe("succeeded");
    const outputs = Object.fromEntries(
      (run?.steps ?? [])
        .filter((step) => step.status === "succeeded")
        .map((step) => [step.nodeId, step.output]),
    );
    expect(outputs).toEqual({
      start: { name: "runa" },
      greet: { greeting: "hello runa" },
      shout: { loud: "HELLO RUNA", length: 10 },
    });

    const listed = await query<{ items: { id: string; status: string }[] }>(api, "runs.list", {
      flowId: flow.id,
    });
    expect(listed.items).toEqual([
      expect.objectContaining({ id: started.id, status: "succeeded" }),
    ]);

    const inngest = await api.post("/api/inngest", { data: {} });
    expect(inngest.status()).toBe(404);
  } finally {
    await api.dispose();
  }
});
