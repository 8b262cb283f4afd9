import { readdirSync } from "node:fs";
import { expect, it } from "vitest";

import { applyMigrations, appMigrations } from "./client";
import { pendingMigrations } from "./migration-status";
import { describeEachDriver } from "./testing";

const migrationCount = readdirSync(appMigrations.migrationsFolder).filter((name) =>
  name.endsWith(".sql"),
).length;

describeEachDriver(
  "pendingMigrations",
  (suite) => {
    it("counts every migration of an empty database, and none once they are applied", async () => {
      expect(migrationCount).toBeGreaterThan(0);
      expect(await pendingMigrations(suite.handle)).toBe(migrationCount);
      await applyMigrations(suite.handle);
      expect(await pendingMigrations(suite.handle)).toBe(0);
    });
  },
  { migrations: [], drivers: ["pglite", "pg"] },
);
