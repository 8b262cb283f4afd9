import type { Page } from "@playwright/test";
import { expect, test } from "@playwright/test";

import type { FakeModelsServer } from "./fixtures/fake-openai-models";
import { startFakeModelsServer } from "./fixtures/fake-openai-models";
import { mutate, query } from "./fixtures/trpc";
import { expectAccessible, fillSignUp, person } from "./helpers";

/**
 * The node config panel, publishing and the version history in a real browser: flows are made over tRPC with the
 * page's own session; configuration, publishing and comparing are done in the UI.
 */

interface FlowDraft {
  draft: { nodes: { id: string; config: Record<string, unknown> }[] };
}

const start = {
  id: "start",
  type: "manual_trigger",
  version: 1,
  name: "Start",
  config: {},
  position: { x: 0, y: 0 },
};
const fetchPage = {
  id: "fetch",
  type: "http_request",
  version: 1,
  name: "Fetch page",
  config: { url: "https://example.com" },
  position: { x: 300, y: 0 },
};
const ask = {
  id: "ask",
  type: "llm_text",
  version: 1,
  name: "Ask",
  config: { model: "gpt-4o-mini", prompt: "Summarise" },
  position: { x: 600, y: 0 },
};
const edge = (source: string, target: string) => ({
  id: `${source}_${target}`,
  source,
  sourcePort: "out",
  target,
  targetPort: "in",
});

async function signUp(page: Page): Promise<void> {
  await page.goto("/sign-up");
  await fillSignUp(page, person("Nora"));
  await expect(page).toHaveURL(/\/$/);
}

async function createFlow(page: Page, nodes: unknown[], edges: unknown[]): Promise<string> {
  const flow = await mutate<{ id: string }>(page.request, "flows.create", {
    name: "Config journey",
  });
  await mutate(page.request, "flows.saveDraft", { id: flow.id, definition: { nodes, edges } });
  return flow.id;
}

async function savedConfig(page: Page, flowId: string, nodeId: string) {
  const flow = await query<FlowDraft>(page.request, "flows.get", { id: flowId });
  return flow.draft.nodes.find((n) => n.id === nodeId)?.config;
}

let provider: FakeModelsServer;
test.beforeAll(async () => {
  provider = await startFakeModelsServer({
    apiKey: "sk-test-123",
    models: ["gpt-4.1-mini", "gpt-4o", "gpt-4o-mini"],
  });
});
test.afterAll(() => provider.close());

test("configure nodes: expressions with completion, headers, body, a new credential, models, problems under fields", async ({
  page,
}) => {
  await signUp(page);
  const flowId = await createFlow(
    page,
    [start, fetchPage, ask],
    [edge("start", "fetch"), edge("fetch", "ask")],
  );
  await page.goto(`/flows/${flowId}`);
  const panel = page.getByRole("complementary", { name: "Node settings" });

  await page.locator('.react-flow__node[data-id="ask"]').click();
  await expect(panel.getByRole("region", { name: "Configure Ask" })).toBeVisible();
  // The prompt gets completions of the upstream nodes only (fetch and start, not ask itself).
  const prompt = panel.getByLabel("Prompt", { exact: true });
  await prompt.fill("Summarise ");
  await prompt.pressSequentially("{{ nodes.");
  const options = page.getByRole("listbox", { name: "Expression completions" }).getByRole("option");
  await expect(options).toHaveText([/^nodes\.start/, /^nodes\.fetch/]);
  await prompt.press("ArrowDown");
  await expect(options.nth(1)).toHaveAttribute("aria-selected", "true");
  await prompt.press("Enter");
  await prompt.pressSequentially(".body");
  await expect(prompt).toHaveValue("Summarise {{ nodes.fetch.body }}");
  await expect(panel.getByText("Expression: evaluated when the node runs")).toBeVisible();

  // A credential created in the picker's dialog is selected at once; its secret is never shown again.
  await panel.getByRole("button", { name: "New credential for Credential" }).click();
  const dialog = page.getByRole("dialog", { name: "New model provider credential" });
  await dialog.getByLabel("Name").fill("Team OpenAI");
  await dialog.getByLabel("API key").fill("sk-test-123");
  await dialog.getByLabel("Base URL").fill(provider.baseUrl);
  await expectAccessible(page, "the new credential dialog");
  await dialog.getByRole("button", { name: "Create and select" }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.getByRole("combobox", { name: "Credential" })).toHaveText("Team OpenAI");
  await expect(page.getByText("sk-test-123")).toHaveCount(0);

  // Test connection lists the provider's models with the credential; the model field offers them, filtered as
  // typed, and keeps an id the provider does not list (a local model).
  await panel.getByRole("button", { name: "Test connection of Team OpenAI" }).click();
  await expect(panel.getByRole("status", { name: "Connection of Team OpenAI" })).toHaveText(
    "Connected — 3 models",
  );
  const model = panel.getByRole("combobox", { name: "Model" });
  await expect(panel.getByText(/^3 models; type to filter/)).toBeVisible();
  await model.fill("4o");
  const models = page.getByRole("listbox", { name: "Models" }).getByRole("option");
  await expect(models).toHaveText(["gpt-4o", "gpt-4o-mini"]);
  await expectAccessible(page, "the model picker");
  await models.filter({ hasText: "gpt-4o-mini" }).click();
  await expect(model).toHaveValue("gpt-4o-mini");
  await model.fill("llama3.2");
  await expect(page.getByRole("listbox", { name: "Models" })).toHaveCount(0);
  await expect(model).toHaveValue("llama3.2");

  await page.locator('.react-flow__node[data-id="fetch"]').click();
  const url = panel.getByLabel("URL", { exact: true });
  await url.fill("not a url");
  await panel.getByRole("button", { name: "Add to headers" }).click();
  await panel.getByLabel("Headers: name 1").fill("X-Trace");
  await panel.getByLabel("Headers: value 1").fill("{{ run.id }}");
  await panel.getByRole("combobox", { name: "Body type" }).click();
  await page.getByRole("option", { name: "JSON" }).click();
  await panel.getByLabel("JSON", { exact: true }).fill('{"q": "{{ trigger.q }}"}');
  await page.getByRole("button", { name: "Save", exact: true }).click();

  // The compiler's problem with the URL shows under the URL field.
  await expect(panel.getByText("an absolute http(s) URL")).toBeVisible();
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, "the config panel with a problem");
  expect(await savedConfig(page, flowId, "fetch")).toMatchObject({
    url: "not a url",
    headers: { "X-Trace": "{{ run.id }}" },
    body: { type: "json", json: { q: "{{ trigger.q }}" } },
  });
  expect(await savedConfig(page, flowId, "ask")).toMatchObject({
    prompt: "Summarise {{ nodes.fetch.body }}",
    model: "llama3.2",
    credential: expect.any(String) as unknown,
  });
});

test("publish from the editor, then compare versions side by side", async ({ page }) => {
  await signUp(page);
  const check = {
    id: "check",
    type: "if",
    version: 1,
    name: "Check",
    config: { condition: "{{ nodes.nope }}" },
    position: { x: 300, y: 0 },
  };
  const flowId = await createFlow(page, [start, check], [edge("start", "check")]);
  await page.goto(`/flows/${flowId}`);

  // A draft that does not compile is refused by publish with its problems listed.
  const problemsPanel = page.getByRole("region", { name: "Problems" });
  await expect(problemsPanel).toContainText('no node "nope"');
  await page.locator('.react-flow__node[data-id="check"]').click();
  const panel = page.getByRole("complementary", { name: "Node settings" });
  const condition = panel.getByLabel("Condition", { exact: true });
  await expect(condition).toHaveValue("{{ nodes.nope }}");
  await condition.fill("{{ trigger.ready }}");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(problemsPanel).not.toContainText('no node "nope"');

  await page.getByRole("button", { name: "Publish", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Publish a version" });
  await dialog.getByLabel("What changed").fill("First cut");
  await dialog.getByRole("button", { name: "Publish version" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published version 1" })).toBeVisible();

  const tell = {
    id: "tell",
    type: "set",
    version: 1,
    name: "Tell",
    config: {},
    position: { x: 600, y: 0 },
  };
  await mutate(page.request, "flows.saveDraft", {
    id: flowId,
    definition: {
      nodes: [start, { ...check, config: { condition: "{{ trigger.go }}" } }, tell],
      edges: [
        edge("start", "check"),
        { id: "t", source: "check", sourcePort: "true", target: "tell", targetPort: "in" },
      ],
    },
  });
  await mutate(page.request, "flows.publish", { id: flowId, message: "Tell when ready" });

  await page.goto(`/flows/${flowId}/versions`);
  await expect(page.getByTestId("version-2")).toContainText("Tell when ready");
  await expect(page.getByTestId("version-1")).toContainText("First cut");
  await expect(page.getByTestId("version-1")).toContainText("Nora");
  const changes = page.getByRole("region", { name: "Changes" });
  await expect(changes).toContainText("Added tell (set)");
  await expect(changes).toContainText(
    'check config.condition: "{{ trigger.ready }}" → "{{ trigger.go }}"',
  );
  const older = page.getByRole("region", { name: "Version 1", exact: true });
  const newer = page.getByRole("region", { name: "Version 2", exact: true });
  await expect(older.locator('.react-flow__node[data-id="check"]')).toHaveAttribute(
    "data-highlight",
    "changed",
  );
  await expect(newer.locator('.react-flow__node[data-id="tell"]')).toHaveAttribute(
    "data-highlight",
    "added",
  );
  await expect(older.locator('.react-flow__node[data-id="tell"]')).toHaveCount(0);
  await expectAccessible(page, "the version history");

  // Ticking the draft compares it with the newest version: no differences yet.
  await page.getByRole("checkbox", { name: "Compare the draft" }).check();
  await expect(page.getByRole("checkbox", { name: "Compare version 2" })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "Compare version 1" })).not.toBeChecked();
  await expect(changes).toContainText("No differences.");
});
