import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "@playwright/test";

import { mutate, query } from "./fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "./helpers";

/**
 * Issue 6 pages in one signed-in session: dashboard first steps, theme, approvals inbox, deployments and the API
 * reference, webhooks & schedules, usage. Flows are set up through tRPC over HTTP with the page's session cookie.
 */
test.describe.configure({ mode: "serial" });

const at = (x: number) => ({ x, y: 0 });
const edge = (source: string, target: string, sourcePort = "out") => ({
  id: `${source}-${target}`,
  source,
  sourcePort,
  target,
  targetPort: "in",
});

function approvalDefinition(assignee: string) {
  return {
    nodes: [
      {
        id: "start",
        type: "manual_trigger",
        version: 1,
        name: "Start",
        config: {
          inputSchema: {
            type: "object",
            properties: { release: { type: "string", description: "Release name" } },
            required: ["release"],
          },
        },
        position: at(0),
      },
      {
        id: "ask",
        type: "approval",
        version: 1,
        name: "Ask",
        config: {
          assignees: [assignee],
          message: "Ship the release?",
          form: {
            type: "object",
            properties: { budget: { type: "number", description: "In euros" } },
            required: ["budget"],
          },
        },
        position: at(200),
      },
      {
        id: "shipped",
        type: "set",
        version: 1,
        name: "Shipped",
        config: { fields: [{ name: "decision", value: "{{ nodes.ask.decision }}" }] },
        position: at(400),
      },
    ],
    edges: [edge("start", "ask"), edge("ask", "shipped", "approved")],
  };
}

const hookDefinition = {
  nodes: [
    {
      id: "incoming",
      type: "webhook_trigger",
      version: 1,
      name: "Incoming",
      config: { methods: ["POST", "PUT"] },
      position: at(0),
    },
    { id: "keep", type: "set", version: 1, name: "Keep", config: {}, position: at(200) },
  ],
  edges: [edge("incoming", "keep")],
};

const nightlyDefinition = {
  nodes: [
    {
      id: "nightly",
      type: "schedule_trigger",
      version: 1,
      name: "Nightly",
      config: { cron: "0 2 * * *", timezone: "Europe/Berlin" },
      position: at(0),
    },
    { id: "keep", type: "set", version: 1, name: "Keep", config: {}, position: at(200) },
  ],
  edges: [edge("nightly", "keep")],
};

async function publishFlow(api: APIRequestContext, name: string, definition: unknown) {
  const flow = await mutate<{ id: string }>(api, "flows.create", { name });
  await mutate(api, "flows.saveDraft", { id: flow.id, definition });
  await mutate(api, "flows.publish", { id: flow.id });
  return flow.id;
}

const carol = person("Carol");
let page: Page;
let shipFlowId = "";

test.beforeAll(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
});

test.afterAll(async () => {
  await page.context().close();
});

test("a new org's dashboard teaches the first steps", async () => {
  await page.goto("/sign-up");
  await fillSignUp(page, carol);
  await expect(page.getByRole("heading", { name: `Welcome, ${carol.name}` })).toBeVisible();
  const steps = page.getByRole("region", { name: "Get started" });
  await expect(steps.getByRole("link", { name: "Create a flow" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Recent runs" })).toContainText("No runs yet");
  await expect(page.getByRole("navigation", { name: "Quick links" })).toBeVisible();
  await expectAccessible(page, "dashboard (empty org)");
});

test("the theme toggle switches light and dark, persists across reloads and returns to the system setting", async () => {
  const html = page.locator("html");
  await page.getByRole("button", { name: "Theme: System" }).click();
  await page.getByRole("menuitemradio", { name: "Dark" }).click();
  await expect(html).toHaveAttribute("data-theme", "dark");
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(9, 9, 11)");
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: "Theme: Dark" })).toBeVisible();
  await expectAccessible(page, "dashboard in the dark theme");

  await page.getByRole("button", { name: "Theme: Dark" }).click();
  await page.getByRole("menuitemradio", { name: "Light" }).click();
  await expect(html).toHaveAttribute("data-theme", "light");
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
    "rgb(255, 255, 255)",
  );
  await page.getByRole("button", { name: "Theme: Light" }).click();
  await page.getByRole("menuitemradio", { name: "System" }).click();
  await expect(html).not.toHaveAttribute("data-theme", /./);
});

test("the approvals inbox shows the waiting request with its data and form; approving records the decision", async () => {
  const api = page.request;
  shipFlowId = await publishFlow(api, "Ship", approvalDefinition(carol.email));
  const run = await mutate<{ id: string }>(api, "runs.start", {
    flowId: shipFlowId,
    input: { release: "v2.4" },
  });
  await expect
    .poll(async () => (await query<{ status: string }>(api, "runs.get", { id: run.id })).status, {
      timeout: 30_000,
    })
    .toBe("waiting");

  await page.goto("/approvals");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: /Approvals\s*1 pending/ })).toBeVisible();
  const card = page.getByRole("region", { name: "Ship the release?" });
  await expect(card).toContainText("Assigned to you");
  await expect(card.getByLabel("Data under review for ask", { exact: true })).toContainText(
    '"release": "v2.4"',
  );
  await expectAccessible(page, "/approvals with a pending request");

  await card.getByLabel("Budget").fill("lots");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(card.getByText("Budget must be a number")).toBeVisible();
  await card.getByLabel("Budget").fill("1200");
  await card.getByLabel("Comment (optional)").fill("Go ahead");
  await card.getByRole("button", { name: "Approve" }).click();

  await expect(page.getByText("Nothing waiting for you")).toBeVisible();
  const history = page.getByRole("table", { name: "Decided approvals" });
  await expect(history).toContainText("Approved");
  await expect(history).toContainText("Go ahead");
  await expect(history).toContainText('{"budget":1200}');
  await expect(nav.getByRole("link", { name: "Approvals", exact: true })).toBeVisible();
  await expect
    .poll(async () => (await query<{ status: string }>(api, "runs.get", { id: run.id })).status, {
      timeout: 30_000,
    })
    .toBe("succeeded");
});

test("deployments: deploy a flow, copy its endpoint, switch it off and on; the API reference documents it", async () => {
  await page.goto("/deployments");
  await expect(page.getByText("No deployed flows yet")).toBeVisible();
  await page.getByRole("button", { name: "Deploy a flow" }).click();
  const dialog = page.getByRole("dialog", { name: "Deploy a flow" });
  await dialog.getByLabel("Flow", { exact: true }).click();
  await page.getByRole("option", { name: "Ship" }).click();
  await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(dialog).toBeHidden();

  const card = page.getByRole("region", { name: "Ship" });
  await expect(card).toContainText("Live");
  await expect(card.getByLabel("Endpoint URL of Ship", { exact: true })).toHaveValue(
    /\/api\/v1\/flows\/ship\/runs$/,
  );
  await expect(card.getByLabel("curl example for Ship", { exact: true })).toContainText(
    '"release":"string"',
  );
  await card.getByRole("tab", { name: "@runnel/client" }).click();
  await expect(card.getByLabel("@runnel/client example for Ship", { exact: true })).toContainText(
    `flowId: "${shipFlowId}"`,
  );
  await expectAccessible(page, "/deployments");

  await card.getByRole("switch", { name: "Enabled" }).click();
  await expect(card).toContainText("Disabled");
  await card.getByRole("switch", { name: "Enabled" }).click();
  await expect(card).toContainText("Live");

  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  const operation = page.getByRole("region", { name: "POST /api/v1/flows/ship/runs" });
  await expect(operation).toContainText("Run Ship");
  const body = operation.getByRole("table", { name: "Request body of runShip" });
  await expect(body.getByRole("row", { name: /release string yes Release name/ })).toBeVisible();
  await expect(page.getByRole("region", { name: "Authentication" })).toContainText("Bearer");
  await expectAccessible(page, "/deployments/reference");
});

test("webhooks & schedules: URL with methods, secret rotation shown once, schedule edits with field errors", async () => {
  const api = page.request;
  await publishFlow(api, "Hooks", hookDefinition);
  await publishFlow(api, "Nightly", nightlyDefinition);
  await page.goto("/triggers");

  const hooks = page.getByRole("region", { name: "Hooks" });
  await expect(hooks.getByLabel("Webhook URL of Hooks incoming", { exact: true })).toHaveValue(
    /\/api\/hooks\/.+/,
  );
  await expect(hooks).toContainText("PUT");
  await hooks.getByRole("button", { name: "Rotate secret of incoming" }).click();
  const rotate = page.getByRole("dialog", { name: "Rotate signing secret" });
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  await expect(page.getByLabel("Signing secret", { exact: true })).toHaveValue(/^whsec_/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(hooks).toContainText("Signed");

  const nightly = page.getByRole("region", { name: "Nightly" });
  const schedules = nightly.getByRole("table", { name: "Schedules of Nightly" });
  await expect(schedules).toContainText("0 2 * * *");
  await expect(schedules).toContainText("Europe/Berlin");
  await expectAccessible(page, "/triggers");

  await nightly.getByRole("button", { name: "Edit schedule 0 2 * * * of Nightly" }).click();
  const edit = page.getByRole("dialog", { name: "Edit schedule" });
  await edit.getByLabel("Cron expression").fill("not a cron");
  await edit.getByRole("button", { name: "Save schedule" }).click();
  await expect(edit.getByLabel("Cron expression")).toHaveAttribute("aria-invalid", "true");
  await edit.getByLabel("Cron expression").fill("30 6 * * 1-5");
  await edit.getByRole("button", { name: "Save schedule" }).click();
  await expect(edit).toBeHidden();
  await expect(schedules).toContainText("30 6 * * 1-5");

  await schedules.getByRole("switch", { name: "Schedule 30 6 * * 1-5 enabled" }).click();
  await expect(
    schedules.getByRole("switch", { name: "Schedule 30 6 * * 1-5 enabled" }),
  ).toHaveAttribute("aria-checked", "false");
});

test("usage charts runs and tokens per day, with a data table, a flow filter and ranges", async () => {
  await page.goto("/usage");
  const runsChart = page.getByRole("figure", { name: "Runs per day" });
  await expect(runsChart.getByRole("img")).toHaveAttribute(
    "aria-label",
    /Runs per day: 30 bars, total 1\./,
  );
  await runsChart.getByText("Show data table").click();
  await expect(runsChart.getByRole("table")).toContainText("Succeeded");
  await expectAccessible(page, "/usage");

  await page.getByRole("group", { name: "Range" }).getByRole("button", { name: "7 days" }).click();
  await expect(runsChart.getByRole("img")).toHaveAttribute("aria-label", /7 bars, total 1\./);
  await page.getByLabel("Flow", { exact: true }).click();
  await page.getByRole("option", { name: "Hooks" }).click();
  await expect(runsChart.getByRole("img")).toHaveAttribute("aria-label", /7 bars, total 0\./);
  await page
    .getByRole("group", { name: "Stack by" })
    .getByRole("button", { name: "By flow" })
    .click();
  await expect(page.getByRole("figure", { name: "Tokens per day" })).toBeVisible();
});

test("an admin renames the organization; the slug stays and the sidebar shows the new name", async () => {
  await page.goto("/settings");
  await page.getByLabel("Organization name", { exact: true }).fill(" ");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByLabel("Organization name", { exact: true })).toHaveAttribute(
    "aria-invalid",
    "true",
  );
  await page.getByLabel("Organization name", { exact: true }).fill("Carol Labs");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByText("Renamed to Carol Labs.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Organization: Carol Labs/ })).toBeVisible();
  await expectAccessible(page, "/settings");
});

test("the pages and primitives keep their contrast in the dark theme", async () => {
  await page.evaluate(() => localStorage.setItem("runnel-theme", "dark"));
  for (const path of ["/", "/approvals", "/deployments", "/deployments/reference", "/triggers"]) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
    await expectAccessible(page, `${path} in the dark theme`);
  }
  await page.goto("/usage");
  await page.getByRole("figure", { name: "Runs per day" }).getByText("Show data table").click();
  await expectAccessible(page, "/usage in the dark theme");

  await page.goto("/deployments");
  await page.getByRole("button", { name: "Deploy a flow" }).click();
  await page
    .getByRole("dialog", { name: "Deploy a flow" })
    .getByLabel("Flow", { exact: true })
    .click();
  await expect(page.getByRole("option", { name: "Ship" })).toBeVisible();
  await expectAccessible(page, "deploy dialog with an open select in the dark theme");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");

  await page.getByRole("button", { name: "Theme: Dark" }).click();
  await expect(page.getByRole("menuitemradio", { name: "Dark" })).toBeChecked();
  await page.keyboard.press("Escape");
  await page.evaluate(() => localStorage.removeItem("runnel-theme"));
});
