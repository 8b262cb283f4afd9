/**
 * Expression benchmark (docs/benchmarks.md, "Expressions"): typical {{ }} expressions on the server's thread,
 * the largest the work budget allows, and how fast the budget stops one that exceeds it.
 *
 *   pnpm --filter @runnel/bench exec tsx expressions.ts
 *
 * Also run at the end of bench/sandbox.ts.
 */
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";

import { evaluateTemplate } from "../packages/engine/src/expressions/index";

const ms = (value: number) => `${value.toFixed(2)} ms`;

export function expressions(): void {
  const context = {
    trigger: {
      body: {
        name: "Ada",
        items: Array.from({ length: 1_000 }, (_, i) => ({ price: i % 50, qty: 2 })),
      },
    },
    nodes: {
      fetch: { status: 200, body: { user: { email: "ada@example.com", tags: ["a", "b"] } } },
    },
    vars: { region: "eu" },
    run: { id: "run_1" },
  };
  const cases = [
    ["field", "{{ trigger.body.name }}"],
    ["interpolation", "Hello {{ trigger.body.name }} from {{ vars.region }}"],
    ["arithmetic and condition", "{{ nodes.fetch.status == 200 ? 'ok' : 'failed' }}"],
    ["macro over 1 000 items", "{{ trigger.body.items.filter(i, i.price > 10).size() }}"],
    [
      "largest within the budget: nested macros, 80 × 1 000",
      "{{ trigger.body.items.filter(a, a.price < 4).map(a, trigger.body.items.filter(b, b.price > a.price).size()).size() }}",
    ],
  ] as const;
  const refused = [
    [
      "refused: nested macros over 1 000 × 1 000",
      "{{ trigger.body.items.map(a, trigger.body.items.filter(b, b.price > a.price).size()).size() }}",
    ],
    [
      "refused: nested macros over 10 000 × 10 000",
      "{{ trigger.body.items.map(a, trigger.body.items.filter(b, b.price > a.price).size()).size() }}",
    ],
  ] as const;
  console.log("\nExpressions on the server's thread (after the first, compiled form cached):");
  for (const [label, template] of cases) {
    evaluateTemplate(template, context);
    const runs = label.startsWith("largest") ? 20 : label.startsWith("macro") ? 200 : 20_000;
    const started = performance.now();
    for (let i = 0; i < runs; i++) evaluateTemplate(template, context);
    const each = (performance.now() - started) / runs;
    console.log(`  ${label.padEnd(52)} ${each < 1 ? `${(each * 1000).toFixed(1)} µs` : ms(each)}`);
  }
  for (const [label, template] of refused) {
    const big = {
      ...context,
      trigger: {
        body: { items: Array.from({ length: 10_000 }, (_, i) => ({ price: i % 50, qty: 2 })) },
      },
    };
    const data = label.includes("10 000") ? big : context;
    const started = performance.now();
    const runs = 20;
    for (let i = 0; i < runs; i++) {
      try {
        evaluateTemplate(template, data);
        throw new Error(`${label}: the budget did not stop it`);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.includes("work budget")) throw error;
      }
    }
    console.log(`  ${label.padEnd(52)} fails after ${ms((performance.now() - started) / runs)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(
    `Expression benchmark, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
  );
  expressions();
}
