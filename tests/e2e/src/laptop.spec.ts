import type { Locator, Page } from "@playwright/test";
import { expect, test } from "@playwright/test";

import { dragFromPalette, expectSaved } from "./fixtures/canvas";
import { mutate, query } from "./fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "./helpers";

/**
 * The editor on a laptop-sized screen (1366×768): the app sidebar is an icon rail by default on the editor, the node
 * palette can be hidden, both choices survive a reload (and are rendered by the server), the rail keeps every
 * control working (links, org switcher, pending-approvals count) and passes axe.
 */
test.use({ viewport: { width: 1366, height: 768 } });

const at = (x: number) => ({ x, y: 0 });

function approvalDefinition(assignee: string) {
  return {
    nodes: [
      {
        id: "start",
        type: "manual_trigger",
        version: 1,
        name: "Start",
        config: {},
        position: at(0),
      },
      {
        id: "ask",
        type: "approval",
        version: 1,
        name: "Ask",
        config: { assignees: [assignee], message: "Ship it?" },
        position: at(250),
      },
    ],
    edges: [
      { id: "start-ask", source: "start", sourcePort: "out", target: "ask", targetPort: "in" },
    ],
    vars: {},
  };
}

async function width(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`not visible: ${locator.toString()}`);
  return box.width;
}

/** The HTML the server sends for a path (with this browser's cookies): what the first paint shows. */
async function serverHtml(page: Page, path: string): Promise<string> {
  const response = await page.request.get(path);
  expect(response.ok()).toBe(true);
  return response.text();
}

test("at 1366×768 the editor gets the width: rail by default, palette toggle, both remembered", async ({
  page,
}) => {
  const hydrationErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /#418|#423|#425|hydrat/i.test(message.text())) {
      hydrationErrors.push(message.text());
    }
  });

  const who = person("Lapo");
  await page.goto("/sign-up");
  await fillSignUp(page, who);
  await expect(page).toHaveURL(/\/$/);

  const sidebar = page.getByRole("complementary", { name: "Sidebar" });
  const nav = page.getByRole("navigation", { name: "Main" });
  const canvas = page.getByTestId("flow-canvas");
  const palette = page.getByRole("navigation", { name: "Node palette" });
  const expand = page.getByRole("button", { name: "Expand sidebar" });
  const collapse = page.getByRole("button", { name: "Collapse sidebar" });

  await test.step("other pages keep the full sidebar by default", async () => {
    await expect(collapse).toHaveAttribute("aria-expanded", "true");
    expect(await width(sidebar)).toBeGreaterThanOrEqual(200);
  });

  const flow = await mutate<{ id: string }>(page.request, "flows.create", { name: "Ship" });
  await mutate(page.request, "flows.saveDraft", {
    id: flow.id,
    definition: approvalDefinition(who.email),
  });
  await mutate(page.request, "flows.publish", { id: flow.id });
  const run = await mutate<{ id: string }>(page.request, "runs.start", {
    flowId: flow.id,
    input: {},
  });
  await expect
    .poll(
      async () =>
        (await query<{ status: string }>(page.request, "runs.get", { id: run.id })).status,
      {
        timeout: 30_000,
      },
    )
    .toBe("waiting");

  await test.step("the versions page is not the editor: full sidebar", async () => {
    await page.goto(`/flows/${flow.id}/versions`);
    await expect(collapse).toBeVisible();
  });

  await page.goto(`/flows/${flow.id}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(2);

  await test.step("the editor opens with the rail and the palette; the canvas is at least 600 px wide", async () => {
    await expect(expand).toHaveAttribute("aria-expanded", "false");
    expect(await width(sidebar)).toBeLessThanOrEqual(64);
    await expect(palette).toBeVisible();
    expect(await width(canvas)).toBeGreaterThanOrEqual(600);
    expect(await serverHtml(page, `/flows/${flow.id}`)).toContain('data-collapsed="true"');
  });

  await test.step("the rail keeps names, tooltips, the pending count and the org switcher", async () => {
    const approvals = nav.getByRole("link", { name: /Approvals\s*1 pending/ });
    await expect(approvals).toBeVisible();
    // The count sits on the icon, inside the 40 px link, not hidden like the label.
    const badge = approvals.getByText("1 pending", { exact: true });
    await expect(badge).toBeVisible();
    expect(await width(badge)).toBeGreaterThanOrEqual(8);
    expect(await width(approvals)).toBeLessThanOrEqual(48);

    await nav.getByRole("link", { name: "Runs" }).hover();
    await expect(page.getByRole("tooltip")).toHaveText("Runs");

    await sidebar.getByRole("button", { name: /^Organization: Lapo/ }).click();
    await expect(page.getByRole("menuitemradio", { name: /Lapo/ })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("menu")).toBeHidden();

    await expectAccessible(page, "the editor at 1366×768 with the icon rail");
  });

  await test.step("dragging from the shown palette still adds a node", async () => {
    await dragFromPalette(page, "Set fields", { x: 0.5, y: 0.7 });
    await expectSaved(page);
  });

  await test.step("hiding the palette gives the canvas at least 800 px, also after a reload", async () => {
    await page.getByRole("button", { name: "Hide node palette" }).click();
    await expect(palette).toBeHidden();
    const show = page.getByRole("button", { name: "Show node palette" });
    await expect(show).toHaveAttribute("aria-expanded", "false");
    await expect.poll(() => width(canvas)).toBeGreaterThanOrEqual(800);

    await page.reload();
    await expect(page.locator(".react-flow__node")).toHaveCount(3);
    await expect(palette).toBeHidden();
    await expect(show).toBeVisible();
    expect(await width(canvas)).toBeGreaterThanOrEqual(800);
    expect(await serverHtml(page, `/flows/${flow.id}`)).toContain('aria-label="Show node palette"');
    await expectAccessible(page, "the editor with the palette hidden");

    await show.click();
    await expect(palette).toBeVisible();
    await expect(page.getByRole("button", { name: "Hide node palette" })).toHaveAttribute(
      "aria-expanded",
      "true",
    );
  });

  await test.step("an explicit choice beats the route's default, after a reload too", async () => {
    await expand.click();
    await expect(collapse).toHaveAttribute("aria-expanded", "true");
    expect(await width(sidebar)).toBeGreaterThanOrEqual(200);
    await page.reload();
    await expect(collapse).toBeVisible();
    expect(await width(sidebar)).toBeGreaterThanOrEqual(200);
    expect(await serverHtml(page, `/flows/${flow.id}`)).toContain('data-collapsed="false"');

    await collapse.click();
    await expect(expand).toBeVisible();
  });

  await test.step("the rail's links navigate, and the rail stays (the stored choice)", async () => {
    await nav.getByRole("link", { name: "Runs" }).click();
    await expect(page).toHaveURL(/\/runs$/);
    await expect(expand).toBeVisible();
    await nav.getByRole("link", { name: "Flows" }).click();
    await expect(page).toHaveURL(/\/flows$/);
    await nav.getByRole("link", { name: /Approvals/ }).click();
    await expect(page).toHaveURL(/\/approvals$/);
    await sidebar.getByRole("link", { name: "Runnel" }).click();
    await expect(page).toHaveURL(/\/$/);
    expect(await width(sidebar)).toBeLessThanOrEqual(64);
    await expectAccessible(page, "the dashboard with the icon rail");
  });

  expect(hydrationErrors).toEqual([]);
});
