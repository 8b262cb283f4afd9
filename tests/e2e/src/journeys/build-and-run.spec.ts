import { expect, test } from "@playwright/test";

import type { EchoServer } from "../fixtures/echo-server";
import {
  canvasEdges,
  canvasNode,
  connect,
  dragFromPalette,
  saveDraft,
  screenshotPath,
  zoomOut,
} from "../fixtures/canvas";
import { startEchoServer } from "../fixtures/echo-server";
import { query } from "../fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "../helpers";

/**
 * Journey (a): a new user builds manual trigger → HTTP request → If → Set fields / Code by dragging nodes from
 * the palette and drawing edges with the mouse, configures them in the side panel, runs the draft, watches the
 * nodes light up and reads the local test server's answer in the run inspector.
 */
test.use({ viewport: { width: 1920, height: 1200 } });

let server: EchoServer;
test.beforeAll(async () => {
  server = await startEchoServer({ delayMs: 2000 });
});
test.afterAll(async () => {
  await server.close();
});

interface SavedFlow {
  draft: {
    nodes: { id: string; type: string; config: Record<string, unknown> }[];
    edges: { source: string; sourcePort: string; target: string; targetPort: string }[];
  };
}

test("build a flow by drag and drop, configure it, run it and inspect the outputs", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto("/sign-up");
  await expectAccessible(page, "/sign-up");
  await fillSignUp(page, person("Ada"));
  await expect(page.getByRole("heading", { name: /^Welcome, Ada/ })).toBeVisible();
  await expectAccessible(page, "the dashboard");

  await page.goto("/flows");
  await expectAccessible(page, "/flows");
  await page.getByRole("button", { name: "New flow" }).first().click();
  await page.getByLabel("Flow name").fill("Greeting check");
  await page.getByRole("button", { name: "Create and open" }).click();
  await expect(page).toHaveURL(/\/flows\/[^/]+$/);
  const flowId = new URL(page.url()).pathname.split("/").pop() ?? "";
  await expect(page.locator(".react-flow__pane")).toBeVisible();
  await expectAccessible(page, "the empty editor");

  // A new flow starts with its manual trigger in the middle of the canvas.
  const start = "start";
  await expect(canvasNode(page, start)).toHaveAttribute("data-type", "manual_trigger");
  await zoomOut(page, 3);
  const fetch = await dragFromPalette(page, "HTTP request", { x: 0.15, y: 0.15 });
  const check = await dragFromPalette(page, "If", { x: 0.45, y: 0.15 });
  const greet = await dragFromPalette(page, "Set fields", { x: 0.82, y: 0.15 });
  const shout = await dragFromPalette(page, "Code", { x: 0.55, y: 0.85 });
  await expect(canvasNode(page, fetch)).toHaveAttribute("data-type", "http_request");

  await connect(page, { node: start, port: "out" }, { node: fetch, port: "in" });
  await connect(page, { node: fetch, port: "out" }, { node: check, port: "in" });
  await connect(page, { node: check, port: "true" }, { node: greet, port: "in" });
  await connect(page, { node: check, port: "false" }, { node: shout, port: "in" });
  await expect(canvasEdges(page)).toHaveCount(4);
  await page.getByRole("button", { name: "Auto layout" }).click();

  const panel = page.getByRole("complementary", { name: "Node settings" });
  await canvasNode(page, fetch).click();
  await panel.getByLabel("URL", { exact: true }).fill(`${server.url}/greeting`);

  await canvasNode(page, check).click();
  await panel.getByRole("button", { name: "fx: use an expression for Condition" }).click();
  await panel.getByLabel("Condition", { exact: true }).fill(`{{ nodes.${fetch}.status == 200 }}`);

  await canvasNode(page, greet).click();
  await panel.getByRole("button", { name: "Add to fields" }).click();
  await panel.getByLabel("Name", { exact: true }).fill("greeting");
  // Value is JSON; a string in it may hold expressions.
  await panel.getByLabel("Value", { exact: true }).fill(`"{{ nodes.${fetch}.body.message }}"`);

  await canvasNode(page, shout).click();
  await panel.getByLabel("Code", { exact: true }).fill("return { status: input.status };");
  await expectAccessible(page, "the editor with the config panel");

  await saveDraft(page);
  await expect(page.getByRole("region", { name: "Problems" })).toContainText("No problems");

  const saved = await query<SavedFlow>(page.request, "flows.get", { id: flowId });
  expect(saved.draft.edges).toHaveLength(4);
  expect(saved.draft.edges).toContainEqual(
    expect.objectContaining({ source: check, sourcePort: "false", target: shout }),
  );
  expect(saved.draft.nodes.find((n) => n.id === fetch)?.config).toMatchObject({
    url: `${server.url}/greeting`,
  });

  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Test run" });
  await expectAccessible(page, "the test run dialog");
  await dialog.getByRole("button", { name: "Run test" }).click();
  await expect(dialog).toBeHidden();

  // The test server answers after 2 s: the HTTP node is seen running, its successors still pending.
  await expect(canvasNode(page, fetch)).toHaveAttribute("data-status", "running", {
    timeout: 30_000,
  });
  await expect(canvasNode(page, start)).toHaveAttribute("data-status", "succeeded");
  await expect(canvasNode(page, greet)).not.toHaveAttribute("data-status", "succeeded");
  for (const id of [start, fetch, check, greet]) {
    await expect(canvasNode(page, id)).toHaveAttribute("data-status", "succeeded", {
      timeout: 30_000,
    });
  }
  await expect(canvasNode(page, shout)).toHaveAttribute("data-status", "skipped");
  await expect(page.getByRole("status", { name: "Run status: succeeded" })).toBeVisible();
  expect(server.requests).toEqual([expect.objectContaining({ method: "GET", url: "/greeting" })]);

  await canvasNode(page, fetch).click();
  const output = page.getByLabel(/^Output of /).first();
  await expect(output).toContainText(`hello from ${server.token}`);
  await canvasNode(page, greet).click();
  await expect(page.getByLabel(/^Output of /).first()).toContainText(`hello from ${server.token}`);
  await expectAccessible(page, "the editor after a run");
  await page.getByRole("button", { name: "Zoom to fit" }).click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: screenshotPath("editor-run") });
});
