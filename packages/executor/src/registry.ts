import { Cron } from "croner";

import type { FunctionConfig, Trigger } from "./protocol";
import { checkExpression } from "./cel";
import { normaliseConcurrency } from "./protocol";

export interface RegisteredFunction {
  id: string;
  appId: string;
  name: string;
  /** Serve URL with fnId and stepId=step query parameters, as the SDK registered it. */
  url: string;
  config: FunctionConfig;
}

/** In-memory index of registered functions by trigger, rebuilt from the functions table. */
export class Registry {
  private byId = new Map<string, RegisteredFunction>();
  private byEvent = new Map<string, RegisteredFunction[]>();
  private wildcards: { prefix: string; fn: RegisteredFunction }[] = [];
  private limited = false;

  replaceAll(fns: RegisteredFunction[]): void {
    this.byId = new Map(fns.map((fn) => [fn.id, fn]));
    this.limited = fns.some((fn) => normaliseConcurrency(fn.config.concurrency).length > 0);
    this.byEvent = new Map();
    this.wildcards = [];
    for (const fn of fns) {
      for (const trigger of fn.config.triggers) {
        if (!("event" in trigger)) continue;
        if (trigger.event.endsWith("*")) {
          this.wildcards.push({ prefix: trigger.event.slice(0, -1), fn });
          continue;
        }
        const list = this.byEvent.get(trigger.event) ?? [];
        if (!list.includes(fn)) list.push(fn);
        this.byEvent.set(trigger.event, list);
      }
    }
  }

  /** Whether any registered function declares a concurrency limit (claiming must then count them). */
  hasConcurrencyLimits(): boolean {
    return this.limited;
  }

  get(id: string): RegisteredFunction | undefined {
    return this.byId.get(id);
  }

  all(): RegisteredFunction[] {
    return [...this.byId.values()];
  }

  /** Functions with an event trigger on `name`, each with the trigger expressions that apply. */
  forEvent(name: string): { fn: RegisteredFunction; expressions: (string | undefined)[] }[] {
    const found = new Map<RegisteredFunction, (string | undefined)[]>();
    const add = (fn: RegisteredFunction) => {
      if (found.has(fn)) return;
      const expressions = fn.config.triggers
        .filter(
          (t): t is Extract<Trigger, { event: string }> =>
            "event" in t && eventMatches(t.event, name),
        )
        .map((t) => t.expression);
      found.set(fn, expressions);
    };
    for (const fn of this.byEvent.get(name) ?? []) add(fn);
    for (const { prefix, fn } of this.wildcards) if (name.startsWith(prefix)) add(fn);
    return [...found.entries()].map(([fn, expressions]) => ({ fn, expressions }));
  }
}

function eventMatches(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** Parses an Inngest cron trigger ("TZ=Europe/Paris 0 9 * * 1-5"). */
export function parseCron(expression: string): Cron {
  const match = /^TZ=(\S+)\s+(.*)$/.exec(expression.trim());
  const timezone = match?.[1];
  const pattern = match?.[2] ?? expression.trim();
  return new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) });
}

export function nextCronTime(expression: string, after: Date): Date | undefined {
  return parseCron(expression).nextRun(after) ?? undefined;
}

/** Validates the CEL expressions and cron strings of a function config; returns problems naming the field. */
export function checkFunctionExpressions(config: FunctionConfig): string[] {
  const problems: string[] = [];
  const check = (expression: string | undefined, where: string) => {
    if (!expression) return;
    try {
      checkExpression(expression, where);
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  config.triggers.forEach((trigger, i) => {
    if ("event" in trigger)
      check(trigger.expression, `function "${config.id}" triggers[${i}].expression`);
    else {
      try {
        parseCron(trigger.cron);
      } catch (error) {
        problems.push(`function "${config.id}" triggers[${i}].cron: ${(error as Error).message}`);
      }
    }
  });
  check(config.idempotency, `function "${config.id}" idempotency`);
  config.cancel?.forEach((cancel, i) =>
    check(cancel.if, `function "${config.id}" cancel[${i}].if`),
  );
  const concurrency = config.concurrency;
  const list =
    concurrency === undefined ? [] : Array.isArray(concurrency) ? concurrency : [concurrency];
  list.forEach((entry, i) => {
    if (typeof entry !== "number")
      check(entry.key, `function "${config.id}" concurrency[${i}].key`);
  });
  return problems;
}
