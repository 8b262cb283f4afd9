import type { Page } from "@playwright/test";
import { expect, test } from "@playwright/test";

import { canvasNode, expectSaved, screenshotPath } from "../fixtures/canvas";
import { expectAccessible, fillSignUp, person, signIn, signOut } from "../helpers";

/**
 * Journey (b): Ann invites Ben into her org, imports a flow whose approval node is assigned to Ben and runs it; Ben
 * signs in, sees the pending badge and the request in his inbox and approves it with a comment; Ann sees the run
 * succeed on the approved branch.
 */
test.use({ viewport: { width: 1600, height: 1000 } });

const ann = person("Ann");
const ben = person("Ben");

function approvalDocument(assignee: string) {
  const at = (x: number) => ({ x, y: 0 });
  return {
    format: "runnel.flow",
    formatVersion: 1,
    name: "Expense approval",
    description: "Big expenses need a second pair of eyes.",
    definition: {
      nodes: [
        {
          id: "start",
          type: "manual_trigger",
          version: 1,
          name: "Start",
          config: {
            inputSchema: {
              type: "object",
              properties: { item: { type: "string" }, amount: { type: "number" } },
              required: ["item", "amount"],
            },
          },
          position: at(0),
        },
        {
          id: "review",
          type: "approval",
          version: 1,
          name: "Review",
          config: { assignees: [assignee], message: "Approve this expense?" },
          position: at(300),
        },
        {
          id: "book",
          type: "set",
          version: 1,
          name: "Book it",
          config: {
            keep: "none",
            fields: [
              { name: "booked", value: "{{ trigger.item }}" },
              { name: "note", value: "{{ nodes.review.comment }}" },
            ],
          },
          position: at(600),
        },
        {
          id: "refuse",
          type: "set",
          version: 1,
          name: "Refuse",
          config: { keep: "none", fields: [{ name: "refused", value: "{{ trigger.item }}" }] },
          position: { x: 600, y: 220 },
        },
      ],
      edges: [
        { id: "e1", source: "start", sourcePort: "out", target: "review", targetPort: "in" },
        { id: "e2", source: "review", sourcePort: "approved", target: "book", targetPort: "in" },
        { id: "e3", source: "review", sourcePort: "rejected", target: "refuse", targetPort: "in" },
      ],
    },
  };
}

async function inviteLink(page: Page): Promise<string> {
  await page.goto("/settings/members");
  await expectAccessible(page, "/settings/members");
  await page.getByRole("combobox", { name: "Role", exact: true }).click();
  await page.getByRole("option", { name: "editor" }).click();
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = page.getByLabel("Invite link", { exact: true });
  await expect(link).toHaveValue(/\/invite\//);
  return link.inputValue();
}

test("an approval assigned to another member: pending badge, inbox, approve with a comment, run succeeds", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const annContext = await browser.newContext();
  const benContext = await browser.newContext();
  try {
    const a = await annContext.newPage();
    await a.goto("/sign-up");
    await fillSignUp(a, ann);
    await expect(a.getByRole("heading", { name: /^Welcome, Ann/ })).toBeVisible();
    const invite = await inviteLink(a);

    const b = await benContext.newPage();
    await b.goto(invite);
    await expectAccessible(b, "the invitation page");
    await b.getByRole("link", { name: "Create account" }).click();
    await fillSignUp(b, ben);
    await expect(b).toHaveURL(/\/invite\//);
    await b.getByRole("button", { name: "Accept invitation" }).click();
    await expect(b.getByText("You are working in")).toContainText("editor");
    await signOut(b);

    await a.goto("/flows");
    await a.getByRole("button", { name: "Import", exact: true }).click();
    const importDialog = a.getByRole("dialog", { name: "Import a flow" });
    await importDialog
      .getByLabel("Flow JSON")
      .fill(JSON.stringify(approvalDocument(ben.email), null, 2));
    await expectAccessible(a, "the import dialog");
    await importDialog.getByRole("button", { name: "Import flow" }).click();
    await expect(a).toHaveURL(/\/flows\/[^/]+$/);
    await expect(canvasNode(a, "review")).toBeVisible();
    await expect(a.getByRole("region", { name: "Problems" })).toContainText("No problems");
    await expectSaved(a);

    await a.getByRole("button", { name: "Run", exact: true }).click();
    const runDialog = a.getByRole("dialog", { name: "Test run" });
    await runDialog.getByLabel("Test input (JSON)").fill('{ "item": "Laptop", "amount": 1899 }');
    await runDialog.getByRole("button", { name: "Run test" }).click();
    await expect(runDialog).toBeHidden();
    await expect(canvasNode(a, "review")).toHaveAttribute("data-status", "waiting", {
      timeout: 30_000,
    });
    await expect(a.getByRole("status", { name: "Run status: waiting" })).toBeVisible();

    await b.goto("/sign-in");
    await expectAccessible(b, "/sign-in");
    await signIn(b, ben.email, ben.password);
    await expect(b.getByRole("heading", { name: /^Welcome, Ben/ })).toBeVisible();
    const nav = b.getByRole("navigation", { name: "Main" });
    const badge = nav.getByRole("link", { name: /Approvals\s*1 pending/ });
    await expect(badge).toBeVisible({ timeout: 30_000 });
    await badge.click();
    const card = b.getByRole("region", { name: "Approve this expense?" });
    await expect(card).toContainText("Assigned to you");
    await expect(card.getByLabel("Data under review for review", { exact: true })).toContainText(
      '"item": "Laptop"',
    );
    await expectAccessible(b, "/approvals with a pending request");
    await b.screenshot({ path: screenshotPath("approvals-inbox") });
    await card.getByLabel("Comment (optional)").fill("Fine, within the team budget");
    await card.getByRole("button", { name: "Approve" }).click();
    await expect(b.getByText("Nothing waiting for you")).toBeVisible();
    const history = b.getByRole("table", { name: "Decided approvals" });
    await expect(history).toContainText("Approved");
    await expect(history).toContainText("Fine, within the team budget");
    await expect(nav.getByRole("link", { name: "Approvals", exact: true })).toBeVisible();

    await expect(a.getByRole("status", { name: "Run status: succeeded" })).toBeVisible({
      timeout: 30_000,
    });
    await expect(canvasNode(a, "book")).toHaveAttribute("data-status", "succeeded");
    await expect(canvasNode(a, "refuse")).toHaveAttribute("data-status", "skipped");
    await a.getByRole("link", { name: "Open the run's page" }).click();
    await expect(a).toHaveURL(/\/runs\/[^/]+$/);
    await expect(canvasNode(a, "book")).toHaveAttribute("data-status", "succeeded");
    await canvasNode(a, "book").click();
    await expect(a.getByLabel("Output of Book it", { exact: true })).toContainText(
      "Fine, within the team budget",
    );
    await expectAccessible(a, "the run page of the approved run");
  } finally {
    await annContext.close();
    await benContext.close();
  }
});
