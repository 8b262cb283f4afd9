import { expect, test } from "@playwright/test";

import {
  canvasEdges,
  canvasNode,
  connect,
  dragFromPalette,
  expectSaved,
  screenshotPath,
  zoomOut,
} from "../fixtures/canvas";
import { query } from "../fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "../helpers";

/** Journey (e): undo and redo on the canvas (toolbar and keyboard), then a reload keeps the autosaved draft. */
test.use({ viewport: { width: 1920, height: 1200 } });

test("undo and redo edits, then reload: the autosaved draft is kept", async ({ page }) => {
  await page.goto("/sign-up");
  await fillSignUp(page, person("Uma"));
  await expect(page.getByRole("heading", { name: /^Welcome, Uma/ })).toBeVisible();
  await page.goto("/flows");
  await page.getByRole("button", { name: "New flow" }).first().click();
  await page.getByLabel("Flow name").fill("Undo me");
  await page.getByRole("button", { name: "Create and open" }).click();
  await expect(page).toHaveURL(/\/flows\/[^/]+$/);
  const flowId = new URL(page.url()).pathname.split("/").pop() ?? "";

  const start = "start";
  await expect(canvasNode(page, start)).toBeVisible();
  await zoomOut(page, 3);
  const first = await dragFromPalette(page, "Set fields", { x: 0.2, y: 0.15 });
  const second = await dragFromPalette(page, "Code", { x: 0.55, y: 0.85 });
  await connect(page, { node: start, port: "out" }, { node: first, port: "in" });
  await connect(page, { node: first, port: "out" }, { node: second, port: "in" });

  const undo = page.getByRole("button", { name: "Undo" });
  const redo = page.getByRole("button", { name: "Redo" });
  await expect(redo).toBeDisabled();
  await undo.click();
  await expect(canvasEdges(page)).toHaveCount(1);
  await undo.click();
  await expect(canvasEdges(page)).toHaveCount(0);
  await undo.click();
  await expect(canvasNode(page, second)).toHaveCount(0);
  await redo.click();
  await expect(canvasNode(page, second)).toBeVisible();
  await redo.click();
  await expect(canvasEdges(page)).toHaveCount(1);

  // The keyboard shortcuts do the same once the canvas has the focus.
  await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
  await page.keyboard.press("ControlOrMeta+Shift+Z");
  await expect(canvasEdges(page)).toHaveCount(2);
  await page.keyboard.press("ControlOrMeta+Z");
  await expect(canvasEdges(page)).toHaveCount(1);
  await expectAccessible(page, "the editor after undo");

  // No click on Save: the autosave stores the draft as it is now.
  await expectSaved(page);
  const saved = await query<{ draft: { nodes: unknown[]; edges: unknown[] } }>(
    page.request,
    "flows.get",
    { id: flowId },
  );
  expect(saved.draft.nodes).toHaveLength(3);
  expect(saved.draft.edges).toHaveLength(1);

  await page.reload();
  await expect(canvasNode(page, second)).toBeVisible();
  await expect(page.locator(".react-flow__node")).toHaveCount(3);
  await expect(canvasEdges(page)).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Undo" })).toBeDisabled();
  await expect(page.locator("[data-save-state]")).toHaveText("All changes saved");
  await page.screenshot({ path: screenshotPath("editor-autosaved") });
});
