/**
 * The third-party Inngest app of bench/executor.ts, run as its own process (as an app served next to the
 * standalone executor would be), so that the SDK's CPU is measured apart from the executor's. Prints
 * `{ "url": <serve URL> }` once listening. EXECUTOR_URL: the executor's HTTP API; STEPS: steps of "long";
 * DONE_URL: told when a "long" run has run its last step (so the benchmark need not poll the database).
 */
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";

const STEPS = Number(process.env.STEPS ?? 100);
const DONE_URL = process.env.DONE_URL ?? "";
const noop = () => undefined;

const inngest = new Inngest({
  id: "bench",
  isDev: true,
  baseUrl: process.env.EXECUTOR_URL ?? "",
  logger: { info: noop, warn: noop, error: noop, debug: noop },
});

const long = inngest.createFunction(
  { id: "long", triggers: [{ event: "bench/long" }] },
  async ({ event, step }) => {
    let total = 0;
    for (let i = 0; i < STEPS; i++) total += await step.run(`s${i}`, () => i);
    await fetch(DONE_URL, { method: "POST", body: event.id ?? "" });
    return total;
  },
);

const short = inngest.createFunction(
  { id: "short", triggers: [{ event: "bench/short" }] },
  async ({ step }) => step.run("only", () => 1),
);

const handler = serve({ client: inngest, functions: [long, short] });
const server = createServer((req, res) => void handler(req, res));
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}/api/inngest` }));
});
