import { eq, sql } from "@runnel/db";

import type { FunctionConfig } from "../protocol";
import type { ExecutorResources } from "./resources";
import { syncCronJobs } from "../cron";
import { checkFunctionConfig, RegisterBody } from "../protocol";
import { checkFunctionExpressions } from "../registry";
import { apps, functions } from "../schema";

export type RegisterResult = { ok: true; modified: boolean } | { ok: false; error: string };

/** App registration: validates and stores an app's functions, keeps cron schedules, loads the registry. */
export class Registration {
  constructor(private readonly r: ExecutorResources) {}

  async reloadFunctions(): Promise<void> {
    const rows = await this.r.store.db.select().from(functions);
    this.r.registry.replaceAll(
      rows.map((row) => ({
        id: row.id,
        appId: row.appId,
        name: row.name,
        url: row.url,
        config: row.config as FunctionConfig,
      })),
    );
  }

  /**
   * Registers an app from the body the SDK POSTs to /fn/register. Rejects the whole app when a function uses
   * an option this executor does not implement, naming each.
   */
  async registerApp(rawBody: unknown): Promise<RegisterResult> {
    const body = RegisterBody.safeParse(rawBody);
    if (!body.success) {
      return {
        ok: false,
        error: `Invalid registration: ${body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      };
    }
    const problems: string[] = [];
    const configs: FunctionConfig[] = [];
    body.data.functions.forEach((raw, i) => {
      const checked = checkFunctionConfig(raw, i);
      problems.push(...checked.problems);
      if (checked.config) {
        configs.push(checked.config);
        problems.push(...checkFunctionExpressions(checked.config));
      }
    });
    if (problems.length > 0) return { ok: false, error: problems.join("; ") };

    const appId = body.data.appName;
    const now = new Date();
    await this.r.store.tx(async (tx) => {
      await tx
        .insert(apps)
        .values({
          id: appId,
          url: body.data.url,
          sdk: body.data.sdk,
          framework: body.data.framework,
          functions: body.data.functions,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: apps.id,
          set: {
            url: body.data.url,
            sdk: body.data.sdk,
            framework: body.data.framework,
            functions: body.data.functions,
            updatedAt: now,
          },
        });
      const previous = await tx
        .delete(functions)
        .where(eq(functions.appId, appId))
        .returning({ id: functions.id });
      if (configs.length > 0) {
        await tx
          .insert(functions)
          .values(
            configs.map((config) => ({
              id: config.id,
              appId,
              name: config.name ?? config.id,
              url: config.steps.step?.runtime.url ?? body.data.url,
              config,
              updatedAt: now,
            })),
          )
          .onConflictDoUpdate({
            target: functions.id,
            set: {
              appId,
              name: sql`excluded.name`,
              url: sql`excluded.url`,
              config: sql`excluded.config`,
              updatedAt: now,
            },
          });
      }
      await syncCronJobs(
        tx,
        previous.map((fn) => fn.id),
        configs,
        now,
        this.r.settings.leaseMs,
      );
    });
    await this.reloadFunctions();
    this.r.wake.wake();
    this.r.log("info", `registered app "${appId}"`, { functions: configs.map((c) => c.id) });
    return { ok: true, modified: true };
  }

  /** Asks an app to register itself: PUT on its serve URL (what `inngest dev -u <url>` does). */
  syncApp(url: string): Promise<Response> {
    return this.r.transport(
      new Request(url, { method: "PUT", headers: { host: new URL(url).host } }),
    );
  }
}
