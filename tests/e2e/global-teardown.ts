import { rmSync } from "node:fs";

/** Removes the journey's temporary data folder (set by playwright.config.ts). */
export default function globalTeardown(): void {
  const dir = process.env.RUNNEL_E2E_DATA_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
