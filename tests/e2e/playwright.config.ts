import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

/**
 * Journeys against the PRODUCTION build of apps/web (`next start`), on a free port, with a fresh
 * embedded database. Build first: `pnpm --filter @runnel/web build` (the package's `test` script does).
 */
const here = dirname(fileURLToPath(import.meta.url));
const webDir = join(here, "..", "..", "apps", "web");

/** NEXT_DIST_DIR picks another build folder of apps/web (see next.config.ts); default ".next". */
const distDir = process.env.NEXT_DIST_DIR ?? ".next";
if (!existsSync(join(webDir, distDir, "BUILD_ID"))) {
  throw new Error(
    `No production build in ${join(webDir, distDir)}. Run \`pnpm --filter @runnel/web build\` first ` +
      "(`npm test` does both).",
  );
}

/** A port the OS says is free right now (asked synchronously: the config has to be plain values). */
function freePort(): string {
  return execFileSync(process.execPath, [
    "-e",
    "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();});",
  ])
    .toString()
    .trim();
}

// Playwright loads this file again in each worker; the environment carries the first choice over.
process.env.RUNNEL_E2E_PORT ??= freePort();
process.env.RUNNEL_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "runnel-e2e-"));
const port = process.env.RUNNEL_E2E_PORT;
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: "./src",
  globalTeardown: "./global-teardown.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  outputDir: "test-results",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--headless=new",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: "pnpm --filter @runnel/web start",
    // Answering this opens the database and applies migrations, so the first journey step is not the slow one.
    url: `${baseURL}/api/auth/session`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: port,
      RUNNEL_DATA_DIR: process.env.RUNNEL_E2E_DATA_DIR,
      APP_URL: baseURL,
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: distDir,
      DATABASE_URL: "",
      AUTH_SECRET: "",
      RUNNEL_ENCRYPTION_KEY: "",
      // The journeys' HTTP request node calls a test server on loopback (src/fixtures/echo-server.ts).
      RUNNEL_HTTP_ALLOW: "127.0.0.1",
    },
  },
});
