/**
 * An Inngest app run as a child process by durability.test.ts. Every step execution appends
 * "<tag>:<step>" to the file named by LOG_FILE, so the test can count executions across executor restarts.
 */
import type { AddressInfo } from "node:net";
import { appendFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";

const logFile = process.env.LOG_FILE ?? "";
const record = (line: string) => appendFileSync(logFile, `${line}\n`);
const noop = () => undefined;

const inngest = new Inngest({
  id: "durable",
  isDev: true,
  baseUrl: process.env.EXECUTOR_URL ?? "",
  logger: { info: noop, warn: noop, error: noop, debug: noop },
});

const midStep = inngest.createFunction(
  { id: "mid-step", triggers: [{ event: "durable/step" }] },
  async ({ event, step }) => {
    const tag = (event.data as { tag: string }).tag;
    await step.run("a", () => record(`${tag}:a`));
    await step.run("slow", async () => {
      record(`${tag}:slow-start`);
      // Blocks until the test releases it, so the executor is surely killed while this step is in flight.
      while (!existsSync(`${logFile}.release`))
        await new Promise((resolve) => setTimeout(resolve, 50));
      record(`${tag}:slow-end`);
    });
    await step.run("c", () => record(`${tag}:c`));
    return "done";
  },
);

const midSleep = inngest.createFunction(
  { id: "mid-sleep", triggers: [{ event: "durable/sleep" }] },
  async ({ event, step }) => {
    const tag = (event.data as { tag: string }).tag;
    await step.run("before", () => record(`${tag}:before`));
    await step.sleep("nap", "6s");
    await step.run("after", () => record(`${tag}:after`));
    return "slept";
  },
);

const midWait = inngest.createFunction(
  { id: "mid-wait", triggers: [{ event: "durable/wait" }] },
  async ({ event, step }) => {
    const tag = (event.data as { tag: string }).tag;
    await step.run("before", () => record(`${tag}:before`));
    const resumed = await step.waitForEvent("resume", {
      event: "durable/resume",
      timeout: "5m",
      match: "data.tag",
    });
    await step.run("after", () => record(`${tag}:after`));
    return (resumed?.data as { note?: string } | undefined)?.note ?? null;
  },
);

const many = inngest.createFunction(
  { id: "many", triggers: [{ event: "durable/many" }] },
  async ({ event, step }) => {
    const tag = (event.data as { tag: string }).tag;
    for (let i = 0; i < 3; i++) await step.run(`s${i}`, () => record(`${tag}:s${i}`));
    return tag;
  },
);

const handler = serve({ client: inngest, functions: [midStep, midSleep, midWait, many] });
const server = createServer((req, res) => void handler(req, res));
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}/api/inngest` }));
});
