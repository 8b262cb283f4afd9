import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "@playwright/test";

import { mutate } from "./fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "./helpers";

/**
 * The runs pages in a real browser against `next start` with the embedded executor: flows are made and started over
 * tRPC with the page's own session (superjson bodies), everything else is clicked and read in the UI.
 */

const position = (x: number) => ({ x: x * 1.5, y: 0 });

function trigger() {
  return {
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
    position: position(0),
  };
}

function chain(nodes: { id: string }[]) {
  return nodes.slice(1).map((node, i) => ({
    id: `e${i}`,
    source: nodes[i]?.id ?? "",
    sourcePort: "out",
    target: node.id,
    targetPort: "in",
  }));
}

/** start → greet (set) → pause (wait `seconds`) → shout (code). */
function greeter(seconds: number) {
  const nodes = [
    trigger(),
    {
      id: "greet",
      type: "set",
      version: 1,
      name: "Greet",
      config: { keep: "none", fields: [{ name: "greeting", value: "hello {{ trigger.name }}" }] },
      position: position(200),
    },
    {
      id: "pause",
      type: "wait",
      version: 1,
      name: "Pause",
      config: { mode: "duration", duration: { amount: seconds, unit: "seconds" } },
      position: position(400),
    },
    {
      id: "shout",
      type: "code",
      version: 1,
      name: "Shout",
      config: { code: "return { loud: input.greeting.toUpperCase() };" },
      position: position(600),
    },
  ];
  return { nodes, edges: chain(nodes) };
}

/** start → boom (code that always throws, retried once). */
function failing() {
  const nodes = [
    trigger(),
    {
      id: "boom",
      type: "code",
      version: 1,
      name: "Boom",
      config: { code: "throw new Error('no luck for ' + input.name);" },
      position: position(200),
      settings: { retries: 1, timeoutMs: 30_000, onError: "fail" },
    },
  ];
  return { nodes, edges: chain(nodes) };
}

async function publishedFlow(api: APIRequestContext, name: string, definition: unknown) {
  const flow = await mutate<{ id: string }>(api, "flows.create", { name });
  await mutate(api, "flows.saveDraft", { id: flow.id, definition });
  await mutate(api, "flows.publish", { id: flow.id, message: "first" });
  return flow.id;
}

function startRun(api: APIRequestContext, flowId: string, name = "runa") {
  return mutate<{ id: string }>(api, "runs.start", { flowId, input: { name } });
}

const canvasNode = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

test("runs list, live run page, inspector, rerun, cancel and test runs", async ({ page }) => {
  // A failed attempt is retried after the executor's back-off (about 15 s).
  test.setTimeout(240_000);
  await page.goto("/sign-up");
  await fillSignUp(page, person("Rhea"));
  await expect(page.getByRole("heading", { name: /^Welcome, Rhea/ })).toBeVisible();
  const api = page.request;

  await test.step("an org without runs is taught where runs come from", async () => {
    await page.goto("/runs");
    await expect(page.getByText("No runs yet")).toBeVisible();
    await expect(page.getByRole("link", { name: "Go to Flows" })).toHaveAttribute("href", "/flows");
    await expectAccessible(page, "the empty runs page");
  });

  const greeterId = await publishedFlow(api, "Greeter", greeter(4));
  const first = await startRun(api, greeterId);

  await test.step("the run page follows a run live, to the end", async () => {
    await page.goto(`/runs/${first.id}`);
    await expect(page.getByRole("heading", { name: "Run of Greeter" })).toBeVisible();
    await expect(canvasNode(page, "pause")).toHaveAttribute("data-status", "waiting", {
      timeout: 30_000,
    });
    await expect(page.getByText("Live", { exact: true })).toBeVisible();
    await expect(canvasNode(page, "shout")).toHaveAttribute("data-status", "succeeded", {
      timeout: 45_000,
    });
    await expect(page.locator("h1 + [data-status]")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByRole("region", { name: "Run output" })).toContainText("HELLO RUNA");
    await expectAccessible(page, "a finished run page");
  });

  await test.step("the timeline selects a node and the inspector shows what it did", async () => {
    await page.getByRole("button", { name: /^Shout\W+Succeeded/ }).click();
    const inspector = page.getByRole("region", { name: "Run of Shout" });
    await expect(inspector.getByRole("region", { name: "Input of Shout" })).toContainText(
      "hello runa",
    );
    await expect(inspector.getByRole("region", { name: "Output of Shout" })).toContainText(
      "HELLO RUNA",
    );
    const shoutRow = page.getByRole("button", { name: /^Shout\W+Succeeded/ });
    await expect(shoutRow.locator('[data-attempt="0"][data-status="succeeded"]')).toHaveCount(1);
    await canvasNode(page, "greet").click();
    await expect(page.getByRole("region", { name: "Run of Greet" })).toBeVisible();
  });

  await test.step("rerun from a node reuses what came before it", async () => {
    await page.getByRole("button", { name: /^Shout\W+Succeeded/ }).click();
    await page.getByRole("button", { name: "Rerun from Shout", exact: true }).first().click();
    await expect(page).not.toHaveURL(new RegExp(`/runs/${first.id}$`));
    await expect(page.getByText(/rerun of run/)).toBeVisible();
    await expect(canvasNode(page, "shout")).toHaveAttribute("data-status", "succeeded", {
      timeout: 45_000,
    });
    await page.getByRole("button", { name: /^Greet\W+Succeeded/ }).click();
    await expect(
      page.getByRole("region", { name: "Run of Greet" }).getByText("Reused", { exact: true }),
    ).toBeVisible();
  });

  await test.step("a failing node shows its error and every attempt", async () => {
    const failingId = await publishedFlow(api, "Unlucky", failing());
    const run = await startRun(api, failingId, "rhea");
    await page.goto(`/runs/${run.id}`);
    await expect(page.locator("h1 + [data-status]")).toHaveAttribute("data-status", "failed", {
      timeout: 90_000,
    });
    await expect(canvasNode(page, "boom")).toHaveAttribute("data-status", "failed");
    await page.getByRole("button", { name: /^Boom\W+Failed/ }).click();
    const inspector = page.getByRole("region", { name: "Run of Boom" });
    await expect(inspector.getByRole("alert")).toContainText("no luck for rhea");
    await expect(inspector.getByRole("listitem", { name: /^Attempt/ })).toHaveCount(2);
  });

  await test.step("a running run can be cancelled from its page", async () => {
    const slowId = await publishedFlow(api, "Sleeper", greeter(120));
    const run = await startRun(api, slowId);
    await page.goto(`/runs/${run.id}`);
    await expect(canvasNode(page, "pause")).toHaveAttribute("data-status", "waiting", {
      timeout: 30_000,
    });
    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect(page.locator("h1 + [data-status]")).toHaveAttribute("data-status", "cancelled");
    await expect(page.getByRole("button", { name: "Cancel run" })).toBeHidden();
  });

  await test.step("the live view survives a dropped connection and resumes", async () => {
    const patientId = await publishedFlow(api, "Patient", greeter(10));
    const run = await startRun(api, patientId);
    await page.goto(`/runs/${run.id}`);
    await expect(canvasNode(page, "pause")).toHaveAttribute("data-status", "waiting", {
      timeout: 30_000,
    });
    const live = page.getByText("Live", { exact: true });
    await expect(live).toBeVisible();
    await page.context().setOffline(true);
    await expect(live).toBeHidden();
    await page.context().setOffline(false);
    await expect(canvasNode(page, "shout")).toHaveAttribute("data-status", "succeeded", {
      timeout: 45_000,
    });
    await expect(page.locator("h1 + [data-status]")).toHaveAttribute("data-status", "succeeded");
  });

  await test.step("the runs list filters, pages and marks test runs", async () => {
    const test1 = await mutate<{ id: string }>(api, "runs.test", {
      flowId: greeterId,
      input: { name: "draft" },
    });
    await page.goto("/runs");
    const rows = page.locator("tbody tr");
    await expect(rows).toHaveCount(6);
    await expectAccessible(page, "the runs list");

    await page.getByRole("combobox", { name: "Test runs" }).click();
    await page.getByRole("option", { name: "Only test runs" }).click();
    await expect(page).toHaveURL(/test=only/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-run-id", test1.id);
    await expect(rows.first().getByText("Test")).toBeVisible();

    await page.getByRole("combobox", { name: "Test runs" }).click();
    await page.getByRole("option", { name: "Include test runs" }).click();
    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "Failed" }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Unlucky");

    await page.goto("/runs?trigger=webhook");
    await expect(page.getByText("No runs match these filters")).toBeVisible();
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect(rows).toHaveCount(6);
  });
});

test("the editor's Run button test-runs the draft and shows the run on the canvas", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto("/sign-up");
  await fillSignUp(page, person("Edda"));
  await expect(page.getByRole("heading", { name: /^Welcome, Edda/ })).toBeVisible();
  const flow = await mutate<{ id: string }>(page.request, "flows.create", { name: "Draft only" });
  await mutate(page.request, "flows.saveDraft", { id: flow.id, definition: greeter(1) });

  await page.goto(`/flows/${flow.id}`);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Test run" });
  const input = dialog.getByLabel("Test input (JSON)");
  // Prefilled from the manual trigger's input schema.
  await expect(input).toHaveValue(/"name": ""/);
  await input.fill('{"name": }');
  await dialog.getByRole("button", { name: "Run test" }).click();
  await expect(dialog.getByText(/^The input is not valid JSON/)).toBeVisible();
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, "the test-run dialog");

  await input.fill('{"name": "edda"}');
  await dialog.getByRole("button", { name: "Run test" }).click();
  await expect(dialog).toBeHidden();
  await expect(canvasNode(page, "shout")).toHaveAttribute("data-status", "succeeded", {
    timeout: 45_000,
  });
  await expect(page.getByRole("status", { name: "Run status: succeeded" })).toBeVisible();

  // Reopening offers the input used last.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(input).toHaveValue(/"name": "edda"/);
  await page.keyboard.press("Escape");

  await page.getByRole("link", { name: "Open the run's page" }).click();
  await expect(page.getByRole("heading", { name: "Run of Draft only" })).toBeVisible();
  await expect(page.getByText("Test run", { exact: true })).toBeVisible();
});
