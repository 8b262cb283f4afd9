import { expect, request, test } from "@playwright/test";

import { canvasNode, screenshotPath } from "../fixtures/canvas";
import { mutate } from "../fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "../helpers";

/**
 * Journey (c): publish a flow in the editor, deploy it on the Deployments page, create an API key in the UI, call
 * the endpoint over HTTP with the key, then find that run on the Runs page.
 */
test.use({ viewport: { width: 1600, height: 1000 } });

const greeter = {
  nodes: [
    {
      id: "request",
      type: "api_trigger",
      version: 1,
      name: "Request",
      config: {
        inputSchema: {
          type: "object",
          properties: { name: { type: "string", description: "Who to greet" } },
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
      position: { x: 300, y: 0 },
    },
  ],
  edges: [{ id: "e1", source: "request", sourcePort: "out", target: "greet", targetPort: "in" }],
};

test("deploy a flow, call it with an API key, see the run on the runs page", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await page.goto("/sign-up");
  await fillSignUp(page, person("Grace"));
  await expect(page.getByRole("heading", { name: /^Welcome, Grace/ })).toBeVisible();
  const flow = await mutate<{ id: string }>(page.request, "flows.create", { name: "Greeter" });
  await mutate(page.request, "flows.saveDraft", { id: flow.id, definition: greeter });

  await page.goto(`/flows/${flow.id}`);
  await expect(canvasNode(page, "greet")).toBeVisible();
  await expect(page.getByRole("region", { name: "Problems" })).toContainText("No problems");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  const publish = page.getByRole("dialog", { name: "Publish a version" });
  await publish.getByLabel("What changed").fill("First greeting");
  await expectAccessible(page, "the publish dialog");
  await publish.getByRole("button", { name: "Publish version" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published version 1" })).toBeVisible();

  await page.goto("/deployments");
  await page.getByRole("button", { name: "Deploy a flow" }).click();
  const deploy = page.getByRole("dialog", { name: "Deploy a flow" });
  await deploy.getByLabel("Flow", { exact: true }).click();
  await page.getByRole("option", { name: "Greeter" }).click();
  await deploy.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(deploy).toBeHidden();
  const card = page.getByRole("region", { name: "Greeter" });
  await expect(card).toContainText("Live");
  const endpoint = await card.getByLabel("Endpoint URL of Greeter", { exact: true }).inputValue();
  expect(endpoint).toMatch(/\/api\/v1\/flows\/greeter\/runs$/);
  await expectAccessible(page, "/deployments");
  await page.screenshot({ path: screenshotPath("deployments") });

  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("journey-client");
  await page.getByRole("button", { name: "Create key" }).click();
  const keyField = page.getByLabel("New API key", { exact: true });
  await expect(keyField).toHaveValue(/^rk_/);
  const key = await keyField.inputValue();
  await page.getByRole("button", { name: "Done" }).click();
  await expectAccessible(page, "/settings/api-keys");

  const client = await request.newContext({ baseURL });
  let runId = "";
  try {
    const path = new URL(endpoint).pathname;
    const refused = await client.post(path, { data: { name: "Grace" } });
    expect(refused.status()).toBe(401);
    const invalid = await client.post(path, {
      headers: { Authorization: `Bearer ${key}` },
      data: { name: 42 },
    });
    expect(invalid.status()).toBe(400);

    const response = await client.post(`${path}?wait=30`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { name: "Grace" },
    });
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "succeeded",
      output: { greeting: "hello Grace" },
    });
    runId = response.headers()["x-runnel-run-id"] ?? "";
    expect(runId).not.toBe("");
    expect(response.headers()["x-runnel-run-status"]).toBe("succeeded");
  } finally {
    await client.dispose();
  }

  await page.goto("/runs");
  const row = page.locator("tbody tr").filter({ has: page.locator(`a[href="/runs/${runId}"]`) });
  await expect(row).toContainText("API");
  await expect(row).toContainText("Succeeded");
  await expectAccessible(page, "/runs");
  await row.getByRole("link", { name: /^Run of Greeter/ }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  await expect(canvasNode(page, "greet")).toHaveAttribute("data-status", "succeeded");
  await canvasNode(page, "greet").click();
  await expect(page.getByLabel("Output of Greet", { exact: true })).toContainText("hello Grace");
  await expectAccessible(page, "the run page");
});
