import { expect, test } from "@playwright/test";

import { canvasNode, saveDraft, screenshotPath } from "../fixtures/canvas";
import { mutate, refusal } from "../fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "../helpers";

/**
 * Journey (d): a flow with mistakes shows each problem on its node and in the Problems list, and cannot be
 * published until they are fixed.
 */
test.use({ viewport: { width: 1600, height: 1000 } });

const broken = {
  nodes: [
    {
      id: "start",
      type: "manual_trigger",
      version: 1,
      name: "Start",
      config: {},
      position: { x: 0, y: 0 },
    },
    {
      id: "fetch",
      type: "http_request",
      version: 1,
      name: "Fetch",
      config: { url: "not a url" },
      position: { x: 300, y: 0 },
    },
    {
      id: "check",
      type: "if",
      version: 1,
      name: "Check",
      config: { condition: "{{ nodes.nope.ok }}" },
      position: { x: 600, y: 0 },
    },
  ],
  edges: [
    { id: "e1", source: "start", sourcePort: "out", target: "fetch", targetPort: "in" },
    { id: "e2", source: "fetch", sourcePort: "out", target: "check", targetPort: "in" },
  ],
};

test("an invalid flow shows its problems on the nodes and cannot be published", async ({
  page,
}) => {
  await page.goto("/sign-up");
  await fillSignUp(page, person("Iris"));
  await expect(page.getByRole("heading", { name: /^Welcome, Iris/ })).toBeVisible();
  const flow = await mutate<{ id: string }>(page.request, "flows.create", { name: "Broken" });
  await mutate(page.request, "flows.saveDraft", { id: flow.id, definition: broken });

  await page.goto(`/flows/${flow.id}`);
  const problems = page.getByRole("region", { name: "Problems" });
  await expect(problems).toContainText('no node "nope"');
  await expect(problems).toContainText("an absolute http(s) URL");
  await expect(canvasNode(page, "fetch")).toHaveAttribute("data-problems", "1");
  await expect(canvasNode(page, "check")).toHaveAttribute("data-problems", "1");
  await expect(canvasNode(page, "start")).not.toHaveAttribute("data-problems", /./);

  const publish = page.getByRole("button", { name: "Publish", exact: true });
  await expect(publish).toBeDisabled();
  expect(await refusal(page.request, "flows.publish", { id: flow.id })).toMatch(/problem|invalid/i);
  await expectAccessible(page, "the editor with problems");
  await page.screenshot({ path: screenshotPath("editor-problems") });

  // A problem in the list selects its node; fixing it there clears the node's mark.
  await problems.getByRole("button", { name: /an absolute http\(s\) URL/ }).click();
  const panel = page.getByRole("complementary", { name: "Node settings" });
  await expect(panel.getByRole("region", { name: "Configure Fetch" })).toBeVisible();
  const url = panel.getByLabel("URL", { exact: true });
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await url.fill("https://example.com/status");
  await saveDraft(page);
  await expect(canvasNode(page, "fetch")).not.toHaveAttribute("data-problems", /./);
  await expect(canvasNode(page, "check")).toHaveAttribute("data-problems", "1");
  await expect(publish).toBeDisabled();

  // Selecting the Fetch problem centred the view on Fetch: Check may be cut off at the canvas edge, so click
  // its visible left part, as a person would.
  await canvasNode(page, "check").click({ position: { x: 30, y: 20 } });
  await expect(panel.getByRole("region", { name: "Configure Check" })).toBeVisible();
  await panel.getByLabel("Condition", { exact: true }).fill("{{ nodes.fetch.status == 200 }}");
  await saveDraft(page);
  await expect(problems).toContainText("No problems");
  await expect(publish).toBeEnabled();
});
