import type { Locator, Page } from "@playwright/test";
import { expect, test } from "@playwright/test";

import { canvasEdges, canvasNode, connect, dragConnection, expectSaved } from "./fixtures/canvas";
import { mutate, query } from "./fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "./helpers";

/**
 * The flow editor's own controls in a real browser: axe with the config panel open, expression completion of
 * flow variables, the keyboard shortcuts (select all, copy/paste with expression rewrite, delete, undo/redo,
 * escape), auto-layout, zoom to fit and the minimap. The flow is made over tRPC with the page's session.
 */
test.use({ viewport: { width: 1920, height: 1200 } });

interface Draft {
  draft: {
    nodes: { id: string; position: { x: number; y: number }; config: Record<string, unknown> }[];
    edges: unknown[];
  };
}

const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourcePort: "out",
  target,
  targetPort: "in",
});

// Laid out right to left on purpose: auto-layout has to turn it around.
const definition = {
  nodes: [
    {
      id: "start",
      type: "manual_trigger",
      version: 1,
      name: "Start",
      config: {},
      position: { x: 700, y: 0 },
    },
    {
      id: "fetch",
      type: "http_request",
      version: 1,
      name: "Fetch page",
      config: { url: "https://example.com/{{ nodes.start.path }}" },
      position: { x: 350, y: 160 },
    },
    {
      id: "ask",
      type: "llm_text",
      version: 1,
      name: "Ask",
      config: {
        model: "gpt-4o-mini",
        prompt: "Summarise {{ nodes.fetch.body }} for {{ nodes.start.reader }}",
      },
      position: { x: 0, y: 320 },
    },
  ],
  edges: [edge("start", "fetch"), edge("fetch", "ask")],
  vars: { region: "eu", retries_max: 3 },
};

const selected = (node: Locator) => expect(node).toHaveClass(/\bselected\b/);
const notSelected = (node: Locator) => expect(node).not.toHaveClass(/\bselected\b/);

/** True when the element's box lies inside the container's box. */
async function inside(element: Locator, container: Locator): Promise<boolean> {
  const a = await element.boundingBox();
  const b = await container.boundingBox();
  if (!a || !b) return false;
  return (
    a.x >= b.x - 1 &&
    a.y >= b.y - 1 &&
    a.x + a.width <= b.x + b.width + 1 &&
    a.y + a.height <= b.y + b.height + 1
  );
}

/** Clicks a node near its bottom-right corner: a pasted copy lies over the lower right part of its original. */
async function clickCorner(node: Locator): Promise<void> {
  const box = await node.boundingBox();
  if (!box) throw new Error(`not visible: ${node.toString()}`);
  await node.click({ position: { x: box.width - 8, y: box.height - 8 } });
}

async function openEditor(page: Page): Promise<string> {
  await page.goto("/sign-up");
  await fillSignUp(page, person("Edda"));
  await expect(page).toHaveURL(/\/$/);
  const flow = await mutate<{ id: string }>(page.request, "flows.create", { name: "Editor keys" });
  await mutate(page.request, "flows.saveDraft", { id: flow.id, definition });
  await page.goto(`/flows/${flow.id}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(3);
  return flow.id;
}

test("editor: accessible with the config panel open, variables completion, shortcuts, layout, fit, minimap", async ({
  page,
}) => {
  const flowId = await openEditor(page);
  const panel = page.getByRole("complementary", { name: "Node settings" });
  const pane = page.locator(".react-flow__pane");
  const clearPane = () => pane.click({ position: { x: 10, y: 10 } });

  await test.step("a selected node opens its config; axe finds nothing serious", async () => {
    await canvasNode(page, "fetch").click();
    await expect(panel.getByRole("region", { name: "Configure Fetch page" })).toBeVisible();
    await expect(panel.getByLabel("URL", { exact: true })).toHaveValue(
      "https://example.com/{{ nodes.start.path }}",
    );
    await expectAccessible(page, "the editor with a node selected and its config open");
  });

  await test.step("expressions complete the flow's variables after vars.", async () => {
    await canvasNode(page, "ask").click();
    const system = panel.getByLabel("System (optional)", { exact: true });
    await system.pressSequentially("Answer for {{ vars.");
    const options = page
      .getByRole("listbox", { name: "Expression completions" })
      .getByRole("option");
    await expect(options).toHaveCount(2);
    await expect(options.filter({ hasText: "vars.region" })).toHaveCount(1);
    await expect(options.filter({ hasText: "vars.retries_max" })).toHaveCount(1);
    await system.pressSequentially("reg");
    await expect(options).toHaveCount(1);
    await system.press("Enter");
    await expect(system).toHaveValue("Answer for {{ vars.region }}");
  });

  await test.step("select all, then Escape clears the selection", async () => {
    await clearPane();
    await page.keyboard.press("ControlOrMeta+A");
    for (const id of ["start", "fetch", "ask"]) await selected(canvasNode(page, id));
    await expect(panel).toContainText("3 nodes selected");
    await page.keyboard.press("Escape");
    for (const id of ["start", "fetch", "ask"]) await notSelected(canvasNode(page, id));
  });

  await test.step("copy and paste two nodes: the copy reads the copied fetch, and still the original start", async () => {
    await canvasNode(page, "fetch").click();
    await canvasNode(page, "ask").click({ modifiers: ["Shift"] });
    await selected(canvasNode(page, "fetch"));
    await selected(canvasNode(page, "ask"));
    await page.keyboard.press("ControlOrMeta+C");
    await page.keyboard.press("ControlOrMeta+V");
    await expect(page.locator(".react-flow__node")).toHaveCount(5);
    await expect(canvasEdges(page)).toHaveCount(3);
    await selected(canvasNode(page, "fetch_2"));
    await selected(canvasNode(page, "ask_2"));
    await notSelected(canvasNode(page, "fetch"));

    // Clicking one of several selected nodes keeps the group (to drag it): clear the selection first.
    await page.keyboard.press("Escape");
    await notSelected(canvasNode(page, "ask_2"));
    await clickCorner(canvasNode(page, "ask_2"));
    await expect(panel.getByRole("region", { name: "Configure Ask" })).toHaveAttribute(
      "data-node-id",
      "ask_2",
    );
    await expect(panel.getByLabel("Prompt", { exact: true })).toHaveValue(
      "Summarise {{ nodes.fetch_2.body }} for {{ nodes.start.reader }}",
    );
    await clickCorner(canvasNode(page, "fetch_2"));
    await expect(panel.getByLabel("URL", { exact: true })).toHaveValue(
      "https://example.com/{{ nodes.start.path }}",
    );
  });

  await test.step("delete, undo and redo from the keyboard", async () => {
    await clickCorner(canvasNode(page, "ask_2"));
    await page.keyboard.press("Delete");
    await expect(canvasNode(page, "ask_2")).toHaveCount(0);
    await expect(canvasEdges(page)).toHaveCount(2);
    await page.keyboard.press("ControlOrMeta+Z");
    await expect(canvasNode(page, "ask_2")).toBeVisible();
    await expect(canvasEdges(page)).toHaveCount(3);
    await page.keyboard.press("ControlOrMeta+Shift+Z");
    await expect(canvasNode(page, "ask_2")).toHaveCount(0);
    await page.keyboard.press("ControlOrMeta+Z");
    await expect(canvasNode(page, "ask_2")).toBeVisible();
    await page.keyboard.press("ControlOrMeta+Y");
    await expect(canvasNode(page, "ask_2")).toHaveCount(0);
    // Undo the paste itself: back to the three nodes of the start.
    await page.keyboard.press("ControlOrMeta+Z");
    await page.keyboard.press("ControlOrMeta+Z");
    await expect(page.locator(".react-flow__node")).toHaveCount(3);
  });

  await test.step("the minimap shows every node", async () => {
    const minimap = page.locator(".react-flow__minimap");
    await expect(minimap).toBeVisible();
    await expect(minimap.locator(".react-flow__minimap-node")).toHaveCount(3);
    // A press on the minimap centres the view there.
    const viewport = page.locator(".react-flow__viewport");
    const before = await viewport.evaluate((element) => (element as HTMLElement).style.transform);
    await minimap.click({ position: { x: 10, y: 10 } });
    await expect
      .poll(() => viewport.evaluate((element) => (element as HTMLElement).style.transform))
      .not.toBe(before);
    await page.getByRole("button", { name: "Zoom to fit" }).click();
  });

  await test.step("auto-layout lays the flow out left to right, as one saved, undoable step", async () => {
    await page.getByRole("button", { name: "Auto layout" }).click();
    await expectSaved(page);
    const saved = await query<Draft>(page.request, "flows.get", { id: flowId });
    const x = (id: string) => saved.draft.nodes.find((n) => n.id === id)?.position.x ?? NaN;
    expect(x("start")).toBeLessThan(x("fetch"));
    expect(x("fetch")).toBeLessThan(x("ask"));
    expect(saved.draft.nodes).toHaveLength(3);
    expect(saved.draft.nodes.find((n) => n.id === "ask")?.config.system).toBe(
      "Answer for {{ vars.region }}",
    );
  });

  await test.step("zoom to fit brings every node back into view", async () => {
    const zoomIn = page.getByRole("button", { name: "zoom in" });
    // Zoom in as far as the canvas allows (the button is disabled at the maximum zoom).
    for (let i = 0; i < 10 && (await zoomIn.isEnabled()); i++) await zoomIn.click();
    const nodes = page.locator(".react-flow__node");
    const canvas = page.getByTestId("flow-canvas");
    const before = await Promise.all([0, 1, 2].map((i) => inside(nodes.nth(i), canvas)));
    expect(before).toContain(false);
    await page.getByRole("button", { name: "Zoom to fit" }).click();
    await expect
      .poll(async () => Promise.all([0, 1, 2].map((i) => inside(nodes.nth(i), canvas))))
      .toEqual([true, true, true]);
  });

  await test.step("away to another page and back: the editor shows the saved draft, not the one first loaded", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Runs" })
      .click();
    await expect(page).toHaveURL(/\/runs$/);
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`/flows/${flowId}$`));
    await canvasNode(page, "ask").click();
    await expect(panel.getByLabel("System (optional)", { exact: true })).toHaveValue(
      "Answer for {{ vars.region }}",
    );
  });
});

test("a connection between ports of different types is refused with the reason; a compatible one is drawn", async ({
  page,
}) => {
  await page.goto("/sign-up");
  await fillSignUp(page, person("Cato"));
  await expect(page).toHaveURL(/\/$/);
  const flow = await mutate<{ id: string }>(page.request, "flows.create", { name: "Typed ports" });
  await mutate(page.request, "flows.saveDraft", {
    id: flow.id,
    definition: {
      nodes: [
        { ...definition.nodes[0], position: { x: 0, y: 0 } },
        { ...definition.nodes[1], position: { x: 350, y: 0 } },
        {
          id: "each",
          type: "loop",
          version: 1,
          name: "Each item",
          config: { flowId: "body" },
          position: { x: 700, y: 200 },
        },
      ],
      edges: [edge("start", "fetch")],
    },
  });
  await page.goto(`/flows/${flow.id}`);
  await expect(canvasEdges(page)).toHaveCount(1);

  // The HTTP response is an object; the loop takes an array.
  await dragConnection(page, { node: "fetch", port: "out" }, { node: "each", port: "in" });
  await expect(
    page.getByText(
      'fetch.out carries object but each.in takes array: only equal types or "any" connect.',
    ),
  ).toBeVisible();
  await expect(canvasEdges(page)).toHaveCount(1);

  // The manual trigger's output is "any", which connects to every input.
  await connect(page, { node: "start", port: "out" }, { node: "each", port: "in" });
  await expectSaved(page);
  const saved = await query<{ draft: { edges: { source: string; target: string }[] } }>(
    page.request,
    "flows.get",
    { id: flow.id },
  );
  expect(saved.draft.edges.map((e) => `${e.source}->${e.target}`).sort()).toEqual([
    "start->each",
    "start->fetch",
  ]);
});
