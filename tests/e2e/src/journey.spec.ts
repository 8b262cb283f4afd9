import type { BrowserContext, Page } from "@playwright/test";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, request, test } from "@playwright/test";

import { alertMessage, expectAccessible, fillSignUp, person, signIn, signOut } from "./helpers";

/**
 * The Foundation journey (issue 2, item 6) in one browser session per person, in order:
 * each test starts where the previous one left off.
 */
test.describe.configure({ mode: "serial" });

const screenshots = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "docs",
  "screenshots",
);
const alice = person("Alice");
const bob = person("Bob");
let aliceContext: BrowserContext;
let page: Page;
let inviteUrl = "";

test.beforeAll(async ({ browser }) => {
  aliceContext = await browser.newContext();
  page = await aliceContext.newPage();
});

test.afterAll(async () => {
  await aliceContext.close();
});

test("sign-up shows field errors for a malformed email and a weak password", async () => {
  await page.goto("/sign-up");
  await expectAccessible(page, "/sign-up");
  await fillSignUp(page, { name: "Alice", email: "not-an-email", password: "short" });
  await expect(page.locator("#email-error")).toBeVisible();
  await expect(page.locator("#password-error")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/sign-up/);
});

test("sign up lands on the dashboard of a personal org", async () => {
  await fillSignUp(page, alice);
  await expect(page.getByRole("heading", { name: `Welcome, ${alice.name}` })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Organization: Alice/ })).toBeVisible();
  await expectAccessible(page, "dashboard");
});

test("sign out, then an existing email is a field error on sign-up", async () => {
  await signOut(page);
  await page.goto("/sign-up");
  await fillSignUp(page, { ...alice, name: "Another Alice" });
  await expect(page.locator("#email-error")).toHaveText(/already|exists|taken|in use/i);
  await expect(page).toHaveURL(/\/sign-up/);
});

test("signed-out visitors are sent to sign-in, remembering the page", async () => {
  await page.goto("/settings/members");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings%2Fmembers$/);
});

test("a wrong password gives a clear error; the right one signs in and returns to the page", async () => {
  await expectAccessible(page, "/sign-in");
  await signIn(page, alice.email, "Wrong-password-123");
  await expect(alertMessage(page)).toHaveText("Wrong email or password");
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, alice.email, alice.password);
  await expect(page).toHaveURL(/\/settings\/members$/);
  await expect(page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: `Welcome, ${alice.name}` })).toBeVisible();
});

test("the dark palette keeps its contrast", async ({ browser }) => {
  const dark = await browser.newContext({ colorScheme: "dark" });
  try {
    const darkPage = await dark.newPage();
    await darkPage.goto("/sign-in");
    await signIn(darkPage, alice.email, "Wrong-password-123");
    await expect(alertMessage(darkPage)).toHaveText("Wrong email or password");
    await expectAccessible(darkPage, "/sign-in in dark mode");
  } finally {
    await dark.close();
  }
});

test("create an organization and switch to it", async () => {
  await page.getByRole("button", { name: /^Organization:/ }).click();
  await page.getByRole("menuitem", { name: "Create organization" }).click();
  await page.getByLabel("Organization name").fill("Acme Robotics");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(
    page.getByRole("button", { name: "Organization: Acme Robotics. Switch organization" }),
  ).toBeVisible();
  await expect(page.getByText("You are working in")).toContainText("Acme Robotics");

  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Acme Robotics" })).toBeVisible();
  await expectAccessible(page, "/settings");
});

test("invite by link and accept as a second user", async ({ browser }) => {
  await page.goto("/settings/members");
  await expectAccessible(page, "/settings/members");
  await page.getByRole("combobox", { name: "Role", exact: true }).click();
  await page.getByRole("option", { name: "editor" }).click();
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = page.getByLabel("Invite link", { exact: true });
  await expect(link).toHaveValue(/\/invite\//);
  inviteUrl = await link.inputValue();
  await expect(page.getByRole("table", { name: "Pending invitations" })).toBeVisible();

  const bobContext = await browser.newContext();
  try {
    const bobPage = await bobContext.newPage();
    await bobPage.goto(inviteUrl);
    await expect(bobPage.getByRole("heading", { name: "Join Acme Robotics" })).toBeVisible();
    await bobPage.getByRole("link", { name: "Create account" }).click();
    await fillSignUp(bobPage, bob);
    await expect(bobPage).toHaveURL(/\/invite\//);
    await bobPage.getByRole("button", { name: "Accept invitation" }).click();
    await expect(bobPage.getByRole("heading", { name: `Welcome, ${bob.name}` })).toBeVisible();
    await expect(bobPage.getByText("You are working in")).toContainText("Acme Robotics");
    await expect(bobPage.getByText("You are working in")).toContainText("editor");

    // The link was single-use.
    await bobPage.goto(inviteUrl);
    await expect(alertMessage(bobPage)).toBeVisible();
  } finally {
    await bobContext.close();
  }
});

test("change the new member's role", async () => {
  await page.goto("/settings/members");
  const row = page.getByTestId(`member-${bob.email}`);
  await expect(row).toBeVisible();
  await row.getByRole("combobox", { name: `Role of ${bob.name}` }).click();
  await page.getByRole("option", { name: "viewer" }).click();
  await expect(row.getByRole("combobox", { name: `Role of ${bob.name}` })).toHaveText(/viewer/);
  await page.reload();
  await expect(page.getByTestId(`member-${bob.email}`).getByRole("combobox")).toHaveText(/viewer/);
});

test("create an API key, use it, revoke it: the revoked key gets 401 at once", async ({
  baseURL,
}) => {
  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("ci-bot");
  await page.getByRole("button", { name: "Create key" }).click();
  const keyField = page.getByLabel("New API key", { exact: true });
  await expect(keyField).toHaveValue(/^rk_/);
  const key = await keyField.inputValue();
  await page.getByRole("button", { name: "Done" }).click();

  const row = page.getByTestId("api-key-ci-bot");
  await expect(row).toContainText("Active");
  await expect(row).toContainText("Full access");
  await expect(page.locator("body")).not.toContainText(key);

  // A read-only key: chosen in the dialog, listed with its access, acts as a viewer.
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Key name").fill("dashboards");
  await page.getByRole("combobox", { name: "Access" }).click();
  await page.getByRole("option", { name: "Read runs only" }).click();
  await expect(page.getByText("Scope runs:read")).toBeVisible();
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(keyField).toHaveValue(/^rk_/);
  const readerKey = await keyField.inputValue();
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("api-key-dashboards")).toContainText("Read runs only");
  await expectAccessible(page, "/settings/api-keys");

  const api = await request.newContext({ baseURL });
  try {
    const ok = await api.get("/api/trpc/me.get", { headers: { Authorization: `Bearer ${key}` } });
    expect(ok.status()).toBe(200);
    expect(await ok.text()).toContain("Acme Robotics");
    const reader = await api.get("/api/trpc/me.get", {
      headers: { Authorization: `Bearer ${readerKey}` },
    });
    expect(await reader.text()).toContain('"role":"viewer"');

    await row.getByRole("button", { name: "Revoke key ci-bot" }).click();
    await page.getByRole("button", { name: "Revoke key", exact: true }).click();
    await expect(row).toContainText("Revoked");

    const revoked = await api.get("/api/trpc/me.get", {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(revoked.status()).toBe(401);

    await page
      .getByTestId("api-key-dashboards")
      .getByRole("button", { name: "Revoke key dashboards" })
      .click();
    await page.getByRole("button", { name: "Revoke key", exact: true }).click();
    await expect(page.getByTestId("api-key-dashboards")).toContainText("Revoked");
  } finally {
    await api.dispose();
  }
});

test("add a credential: its secret is never shown again", async () => {
  const secret = `sk-e2e-${Date.now().toString(36)}-do-not-show`;
  await page.goto("/credentials");
  await page.getByRole("button", { name: "Add credential" }).click();
  await page.getByLabel("Name", { exact: true }).fill("OpenAI production");
  await page.getByLabel("Base URL (optional)").fill("ftp://example.com");
  await page.getByRole("button", { name: "Save credential" }).click();
  // Field errors come from the type's schema, under the fields the form generated from it.
  await expect(page.locator("#credential-apiKey-error")).toBeVisible();
  await expect(page.locator("#credential-baseUrl-error")).toBeVisible();
  await page.getByLabel("Base URL (optional)").fill("");
  await page.getByLabel("API key", { exact: true }).fill(secret);
  await page.getByRole("button", { name: "Save credential" }).click();

  const row = page.getByTestId("credential-OpenAI production");
  await expect(row).toBeVisible();
  await expect(page.locator("body")).not.toContainText(secret);
  await expectAccessible(page, "/credentials");

  await row.getByRole("button", { name: "Edit credential OpenAI production" }).click();
  await expect(page.getByLabel(/^API key/)).toHaveValue("");
  await page.keyboard.press("Escape");

  await page.reload();
  await expect(page.getByTestId("credential-OpenAI production")).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  const listed = await page.request.get("/api/trpc/credentials.list");
  expect(listed.status()).toBe(200);
  expect(await listed.text()).not.toContain(secret);
});

test("the dashboard sums up the organization", async () => {
  await page.goto("/");
  const glance = page.getByRole("list", { name: "Organization at a glance" });
  await expect(glance.getByRole("listitem").filter({ hasText: "Members" })).toContainText("2");
  await expect(glance.getByRole("listitem").filter({ hasText: "Active API keys" })).toContainText(
    "0",
  );
  await expect(glance.getByRole("listitem").filter({ hasText: "Credentials" })).toContainText("1");
  await page.screenshot({ path: join(screenshots, "dashboard.png"), fullPage: true });
});

test("revoke an unused invite link and remove a member", async () => {
  await page.goto("/settings/members");
  await page.getByRole("combobox", { name: "Role", exact: true }).click();
  await page.getByRole("option", { name: "viewer" }).click();
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = page.getByLabel("Invite link", { exact: true });
  await expect(link).toHaveValue(/\/invite\//);
  const revokedUrl = await link.inputValue();
  const pending = page.getByRole("table", { name: "Pending invitations" });
  await pending.getByRole("button", { name: "Revoke invitation for the viewer link" }).click();
  await expect(pending).toBeHidden();

  await page.goto(revokedUrl);
  await expect(alertMessage(page)).toBeVisible();
  await expect(page.getByRole("button", { name: "Accept invitation" })).toHaveCount(0);

  await page.goto("/settings/members");
  const row = page.getByTestId(`member-${bob.email}`);
  await row.getByRole("button", { name: `Remove ${bob.name}` }).click();
  await page.getByRole("button", { name: "Remove member" }).click();
  await expect(row).toBeHidden();
  await page.reload();
  await expect(page.getByTestId(`member-${alice.email}`)).toBeVisible();
  await expect(page.getByTestId(`member-${bob.email}`)).toHaveCount(0);
});

test("the flows, runs and approvals pages are no longer placeholders", async () => {
  for (const [path, title] of [
    ["/flows", "Flows"],
    ["/runs", "Runs"],
    ["/approvals", "Approvals"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
    await expect(page.getByText("Coming in a later release")).toHaveCount(0);
  }
});

test("a tampered session cookie counts as signed out", async () => {
  const cookies = await aliceContext.cookies();
  const session = cookies.find((cookie) => /authjs\.session-token$/.test(cookie.name));
  expect(session, "next-auth session cookie").toBeDefined();
  if (!session) return;
  const flipped =
    session.value.slice(0, -6) + (session.value.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
  await aliceContext.addCookies([{ ...session, value: flipped }]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  const me = await page.request.get("/api/trpc/me.get");
  expect(me.status()).toBe(401);
});
