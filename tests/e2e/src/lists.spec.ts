import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "@playwright/test";

import { mutate } from "./fixtures/trpc";
import { fillSignUp, person } from "./helpers";

/**
 * The cursor-paged lists (/flows and /runs) page with tRPC infinite queries, whose requests carry the `direction`
 * key the API accepts: the first page, "Load more", a search or filter starting again from the first page, and
 * the runs list following new and finishing runs live.
 */
const at = (x: number) => ({ x, y: 0 });

const quickDefinition = {
  nodes: [
    { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {}, position: at(0) },
    { id: "keep", type: "set", version: 1, name: "Keep", config: {}, position: at(200) },
  ],
  edges: [
    { id: "start-keep", source: "start", sourcePort: "out", target: "keep", targetPort: "in" },
  ],
};

async function publishedFlow(api: APIRequestContext, name: string) {
  const flow = await mutate<{ id: string }>(api, "flows.create", { name });
  await mutate(api, "flows.saveDraft", { id: flow.id, definition: quickDefinition });
  await mutate(api, "flows.publish", { id: flow.id });
  return flow.id;
}

test("flows and runs lists: first page, Load more, search and filters start over, runs follow live", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto("/sign-up");
  await fillSignUp(page, person("Lena"));
  await expect(page.getByRole("heading", { name: /^Welcome, Lena/ })).toBeVisible();
  const api = page.request;

  // 27 flows, "Flow 01" first: the list is newest first, 25 a page.
  const names = Array.from({ length: 27 }, (_, i) => `Flow ${String(i + 1).padStart(2, "0")}`);
  for (const name of names) await mutate(api, "flows.create", { name });

  await test.step("/flows shows the first page, then the rest on Load more", async () => {
    await page.goto("/flows");
    const rows = page.getByRole("table", { name: "Flows" }).locator("tbody tr");
    await expect(rows).toHaveCount(25);
    await expect(rows.first()).toContainText("Flow 27");
    await expect(rows.last()).toContainText("Flow 03");
    await page.getByRole("button", { name: "Load more flows" }).click();
    await expect(rows).toHaveCount(27);
    await expect(rows.last()).toContainText("Flow 01");
    await expect(page.getByRole("button", { name: "Load more flows" })).toHaveCount(0);
  });

  await test.step("a search starts again from its own first page", async () => {
    const rows = page.getByRole("table", { name: "Flows" }).locator("tbody tr");
    await page.getByLabel("Search flows").fill("flow 0");
    await expect(rows).toHaveCount(9);
    await expect(rows.first()).toContainText("Flow 09");
    await expect(page.getByRole("button", { name: "Load more flows" })).toHaveCount(0);
    await page.getByLabel("Search flows").fill("no such flow");
    await expect(page.getByText("No flow matches “no such flow”")).toBeVisible();
  });

  const flowId = await publishedFlow(api, "Quick");
  const started: string[] = [];
  for (let i = 0; i < 26; i++) {
    started.push((await mutate<{ id: string }>(api, "runs.start", { flowId, input: {} })).id);
  }

  await test.step("/runs pages 25 at a time and follows the runs to the end", async () => {
    await page.goto("/runs");
    const rows = page.locator("tr[data-run-id]");
    await expect(rows).toHaveCount(25);
    await expect(rows.first()).toHaveAttribute("data-run-id", started.at(-1) ?? "");
    await expect(page.locator('tr[data-run-id][data-status="succeeded"]')).toHaveCount(25, {
      timeout: 60_000,
    });
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(rows).toHaveCount(26);
    await expect(rows.last()).toHaveAttribute("data-run-id", started[0] ?? "");
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  });

  await test.step("a new run appears on top without a reload, and finishes there", async () => {
    const next = await mutate<{ id: string }>(api, "runs.start", { flowId, input: {} });
    const rows = page.locator("tr[data-run-id]");
    await expect(rows.first()).toHaveAttribute("data-run-id", next.id, { timeout: 15_000 });
    await expect(rows).toHaveCount(27);
    await expect(rows.first()).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  });

  await test.step("a filter starts again from its own first page", async () => {
    await page.goto("/runs?status=failed");
    await expect(page.getByText("No runs match these filters")).toBeVisible();
    await page.goto("/runs?status=succeeded");
    await expect(page.locator("tr[data-run-id]")).toHaveCount(25);
    await expect(page.getByRole("button", { name: "Load more" })).toBeVisible();
  });
});
