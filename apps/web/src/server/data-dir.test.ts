import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { workspaceRoot } from "./data-dir";

describe("workspaceRoot", () => {
  it("finds the folder holding pnpm-workspace.yaml above the start folder", () => {
    const root = mkdtempSync(join(tmpdir(), "runnel-root-"));
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
    const app = join(root, "apps", "web");
    mkdirSync(app, { recursive: true });
    expect(workspaceRoot(app)).toBe(root);
    expect(workspaceRoot(root)).toBe(root);
  });

  it("falls back to the start folder outside a workspace", () => {
    const lone = mkdtempSync(join(tmpdir(), "runnel-lone-"));
    expect(workspaceRoot(lone)).toBe(lone);
  });
});
