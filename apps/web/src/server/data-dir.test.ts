import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { resolveDataDir } from "./data-dir";

describe("resolveDataDir", () => {
  const root = mkdtempSync(join(tmpdir(), "runnel-datadir-"));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
  const app = join(root, "apps", "web");
  mkdirSync(app, { recursive: true });

  it("uses RUNNEL_DATA_DIR when set, relative to the start folder", () => {
    expect(resolveDataDir("/srv/runnel", app)).toBe("/srv/runnel");
    expect(resolveDataDir("data", app)).toBe(join(app, "data"));
  });

  it("defaults to .runnel/data under the workspace root", () => {
    expect(resolveDataDir(undefined, app)).toBe(join(root, ".runnel", "data"));
  });

  it("falls back to the start folder outside a workspace", () => {
    const lone = mkdtempSync(join(tmpdir(), "runnel-lone-"));
    expect(resolveDataDir(undefined, lone)).toBe(join(lone, ".runnel", "data"));
  });
});
