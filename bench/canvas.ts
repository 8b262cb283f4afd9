/**
 * Canvas benchmark: a 300-node flow in the editor of the PRODUCTION build (`next start`), in Debian Chromium.
 *
 * 1. Render: time from navigation start (performance.now() in the page) until all 300 `.react-flow__node` elements
 *    are in the DOM (MutationObserver) and until all of them are measured and shown (React Flow hides a node until
 *    it has its size; checked every animation frame). Several page loads; the first one includes cold caches.
 * 2. Pan: the mouse drags the pane for about 2 s; requestAnimationFrame deltas are collected meanwhile and reported
 *    as max, p95 and the count over 50 ms.
 *
 * Targets (docs/benchmarks.md): render < 1.5 s, no frame over 50 ms while panning.
 *
 *   flock /tmp/runnel-next-build.lock env NEXT_DIST_DIR=.next-bench pnpm --filter @runnel/web build
 *   NEXT_DIST_DIR=.next-bench pnpm --filter @runnel/bench exec tsx canvas.ts
 * Environment: NEXT_DIST_DIR (the build folder of apps/web, default .next), BENCH_URL (use a running app instead of
 * starting one), BENCH_NODES (300), BENCH_LOADS (3), BENCH_PAN_MS (2000), BENCH_TRACE (a file: a Chrome trace of the
 * pan, for chrome://tracing or Perfetto, with the main thread's busiest event kinds printed), BENCH_CSS (a style sheet
 * added to the page before the frame measurements, for experiments such as hiding the minimap), BENCH_SCREENSHOT (a PNG
 * file: the editor after the last load).
 */
import type { APIRequestContext, CDPSession, Page } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";

const NODES = Number(process.env.BENCH_NODES ?? 300);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);
const PAN_MS = Number(process.env.BENCH_PAN_MS ?? 2000);
const COLUMNS = 20;

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..", "apps", "web");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

async function waitForApp(url: string, child: ChildProcess | undefined): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/api/auth/session`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the app at ${url} did not answer within 120 s`);
}

/** Starts `next start` on a free port with a fresh embedded database, unless BENCH_URL names a running app. */
async function startApp(): Promise<{ url: string; stop: () => void }> {
  if (process.env.BENCH_URL) {
    await waitForApp(process.env.BENCH_URL, undefined);
    return { url: process.env.BENCH_URL, stop: () => undefined };
  }
  const distDir = process.env.NEXT_DIST_DIR ?? ".next";
  if (!existsSync(join(webDir, distDir, "BUILD_ID")))
    throw new Error(`No production build in ${join(webDir, distDir)}: build apps/web first.`);
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "runnel-bench-canvas-"));
  const child = spawn("pnpm", ["exec", "next", "start", "--port", String(port)], {
    cwd: webDir,
    env: {
      ...process.env,
      PORT: String(port),
      NEXT_DIST_DIR: distDir,
      RUNNEL_DATA_DIR: dataDir,
      APP_URL: url,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: "",
      AUTH_SECRET: "",
      RUNNEL_ENCRYPTION_KEY: "",
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const stop = () => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForApp(url, child);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, stop };
}

async function trpc<T>(api: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await api.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as {
    result?: { data: { json: T } };
    error?: { json: { message: string } };
  };
  if (!body.result) throw new Error(`${path} failed: ${body.error?.json.message}`);
  return body.result.data.json;
}

/** A manual trigger, then Set / Code / HTTP request nodes in a 20-column grid, chained row by row. */
function bigFlow(count: number) {
  const kinds = [
    { type: "set", config: { fields: [{ name: "n", value: "{{ trigger.n }}" }] } },
    { type: "code", config: { code: "return { n: (input?.n ?? 0) + 1 };" } },
    { type: "http_request", config: { url: "https://example.com/items" } },
  ];
  const nodes = Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] ?? kinds[0];
    const position = { x: (i % COLUMNS) * 300, y: Math.floor(i / COLUMNS) * 160 };
    return i === 0
      ? { id: "start", type: "manual_trigger", version: 1, name: "Start", config: {}, position }
      : {
          id: `n${i}`,
          type: kind.type,
          version: 1,
          name: `Step ${i}`,
          config: kind.config,
          position,
        };
  });
  const edges = nodes.slice(1).map((node, i) => ({
    id: `e${i}`,
    source: nodes[i]?.id ?? "",
    sourcePort: "out",
    target: node.id,
    targetPort: "in",
  }));
  return { nodes, edges };
}

/**
 * Installed before every navigation: records when the nodes are in the DOM and when all are shown. A string, not a
 * function: tsx would wrap named inner functions in a helper that does not exist in the page.
 */
function renderProbe(target: number): string {
  return `(() => {
    const target = ${target};
    const probe = { first: null, dom: null, shown: null };
    window.__canvasProbe = probe;
    const observer = new MutationObserver(() => {
      const count = document.querySelectorAll(".react-flow__node").length;
      if (probe.first === null && count > 0) probe.first = performance.now();
      if (probe.dom === null && count >= target) {
        probe.dom = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
    function frame() {
      const nodes = document.querySelectorAll(".react-flow__node");
      let shown = 0;
      for (let i = 0; i < nodes.length; i++) if (nodes[i].style.visibility !== "hidden") shown++;
      if (shown >= target) probe.shown = performance.now();
      else requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  })();`;
}

/** Collects requestAnimationFrame deltas until `__panFrames.running` is set to false. */
const FRAME_RECORDER = `(() => {
  const state = { deltas: [], running: true, longTasks: [] };
  window.__panFrames = state;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (state.running) state.longTasks.push(entry.duration);
  }).observe({ type: "longtask" });
  let last = 0;
  function frame(now) {
    state.deltas.push(now - last);
    last = now;
    if (state.running) requestAnimationFrame(frame);
  }
  requestAnimationFrame((now) => {
    last = now;
    requestAnimationFrame(frame);
  });
})();`;

async function measureLoad(page: Page, url: string) {
  await page.goto(url);
  try {
    await page.waitForFunction(
      () =>
        (window as unknown as { __canvasProbe?: { shown: number | null } }).__canvasProbe?.shown,
      undefined,
      { timeout: 60_000, polling: 100 },
    );
  } catch (error) {
    const seen = await page.evaluate(() => {
      const nodes = [...document.querySelectorAll<HTMLElement>(".react-flow__node")];
      const viewport = document.querySelector<HTMLElement>(".react-flow__viewport");
      return {
        inDom: nodes.length,
        hidden: nodes.filter((n) => n.style.visibility === "hidden").length,
        transform: viewport?.style.transform,
      };
    });
    throw new Error(`not all ${NODES} nodes were shown within 60 s: ${JSON.stringify(seen)}`, {
      cause: error,
    });
  }
  return page.evaluate(() => {
    const probe = (
      window as unknown as { __canvasProbe: { first: number; dom: number; shown: number } }
    ).__canvasProbe;
    const navigation = performance.getEntriesByType("navigation")[0] as
      PerformanceNavigationTiming | undefined;
    return {
      html: navigation?.responseEnd ?? 0,
      domContentLoaded: navigation?.domContentLoadedEventEnd ?? 0,
      first: probe.first,
      dom: probe.dom,
      shown: probe.shown,
      nodes: document.querySelectorAll(".react-flow__node").length,
    };
  });
}

/** A point where a press lands on the empty pane (not on a node, edge or panel). */
async function panePoint(page: Page): Promise<{ x: number; y: number }> {
  const point = await page.evaluate(() => {
    const pane = document.querySelector(".react-flow__pane");
    if (!pane) return null;
    const box = pane.getBoundingClientRect();
    for (let fy = 0.5; fy < 0.95; fy += 0.013)
      for (let fx = 0.3; fx < 0.7; fx += 0.02) {
        const x = box.left + box.width * fx;
        const y = box.top + box.height * fy;
        if (document.elementFromPoint(x, y) === pane) return { x, y };
      }
    return null;
  });
  if (!point) throw new Error("no empty spot on the pane to drag");
  return point;
}

/** Chromium's cumulative main-thread times (seconds): script, style recalculation, layout, all tasks. */
async function mainThreadSeconds(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** Frame times for PAN_MS: while the mouse drags the pane, or (pan = false) with no input, as a baseline. */
async function measureFrames(page: Page, pan: boolean) {
  const start = await panePoint(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const before = await mainThreadSeconds(cdp);
  await page.evaluate(FRAME_RECORDER);
  let moves = 0;
  if (pan) {
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    const began = Date.now();
    while (Date.now() - began < PAN_MS) {
      moves++;
      // A slow figure of eight around the start point, so the pane keeps moving in both directions.
      const t = moves / 20;
      await page.mouse.move(start.x + Math.sin(t) * 250, start.y + Math.sin(2 * t) * 120, {
        steps: 2,
      });
    }
    await page.mouse.up();
  } else {
    await page.waitForTimeout(PAN_MS);
  }
  const { deltas, longTasks } = await page.evaluate(() => {
    const state = (
      window as unknown as {
        __panFrames: { deltas: number[]; longTasks: number[]; running: boolean };
      }
    ).__panFrames;
    state.running = false;
    return { deltas: state.deltas, longTasks: state.longTasks };
  });
  const after = await mainThreadSeconds(cdp);
  await cdp.detach();
  const sorted = [...deltas].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
  const spent = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) * 1000;
  return {
    mainThread: {
      script: spent("ScriptDuration"),
      style: spent("RecalcStyleDuration"),
      layout: spent("LayoutDuration"),
      tasks: spent("TaskDuration"),
    },
    frames: deltas.length,
    moves,
    max: sorted.at(-1) ?? 0,
    p95,
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    over50: deltas.filter((d) => d > 50).length,
    longTasks: longTasks.length,
    longTaskMs: longTasks.reduce((sum, d) => sum + d, 0),
  };
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-devtools.timeline.frame",
  "blink",
  "cc",
  "viz",
  ...(process.env.BENCH_TRACE_INVALIDATIONS
    ? ["disabled-by-default-devtools.timeline.invalidationTracking"]
    : []),
];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/** The renderer main thread's time by event name (self time of complete events), busiest first. */
function printTraceSummary(buffer: Buffer) {
  const parsed = JSON.parse(buffer.toString("utf8")) as
    TraceEvent[] | { traceEvents: TraceEvent[] };
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const threadNames = new Map<string, string>();
  for (const event of events)
    if (event.ph === "M" && event.name === "thread_name" && event.args?.name)
      threadNames.set(`${event.pid}:${event.tid}`, event.args.name);
  const byThread = new Map<string, TraceEvent[]>();
  for (const event of events) {
    if (event.ph !== "X" || event.dur === undefined) continue;
    const thread = threadNames.get(`${event.pid}:${event.tid}`) ?? "?";
    const key = `${thread}`;
    byThread.set(key, [...(byThread.get(key) ?? []), event]);
  }
  for (const [thread, list] of byThread) {
    if (
      !/CrRendererMain|Compositor|VizCompositor|CrGpuMain|RasterWorker|CompositorTileWorker/.test(
        thread,
      )
    )
      continue;
    // Self time: an event's duration minus its direct children's (events nest by time on one thread).
    list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    const self = new Map<string, number>();
    const stack: TraceEvent[] = [];
    for (const event of list) {
      while (stack.length && (stack.at(-1)?.ts ?? 0) + (stack.at(-1)?.dur ?? 0) <= event.ts)
        stack.pop();
      const parent = stack.at(-1);
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - (event.dur ?? 0));
      self.set(event.name, (self.get(event.name) ?? 0) + (event.dur ?? 0));
      stack.push(event);
    }
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(
      `trace ${thread}: ` +
        top.map(([name, us]) => `${name} ${(us / 1000).toFixed(0)} ms`).join(", "),
    );
  }
}

async function main() {
  console.log(
    `canvas benchmark: ${NODES} nodes, ${cpus().length} cores, load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
  );
  const app = await startApp();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--no-first-run"],
  });
  try {
    const context = await browser.newContext({
      baseURL: app.url,
      viewport: { width: 1920, height: 1080 },
    });
    const page = await context.newPage();
    // A hydration mismatch would make React render the page twice: worth knowing next to the figures.
    const pageErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error")
        pageErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto("/sign-up");
    const stamp = Date.now().toString(36);
    await page.getByLabel("Name").fill("Bench");
    await page.getByLabel("Email").fill(`bench-${stamp}@example.com`);
    await page.getByLabel("Password").fill("Bench-pass-2026");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-up"));

    const flow = await trpc<{ id: string }>(page.request, "flows.create", { name: "Big flow" });
    await trpc(page.request, "flows.saveDraft", { id: flow.id, definition: bigFlow(NODES) });

    await context.addInitScript(renderProbe(NODES));
    const loads = [];
    for (let i = 0; i < LOADS; i++) {
      const load = await measureLoad(page, `/flows/${flow.id}`);
      loads.push(load);
      console.log(
        `load ${i + 1}: HTML ${ms(load.html)}, DOMContentLoaded ${ms(load.domContentLoaded)}, first node ` +
          `${ms(load.first)}, ${load.nodes} nodes in the DOM at ${ms(load.dom)}, all shown at ${ms(load.shown)}`,
      );
    }
    const warm = loads.slice(1).map((l) => l.shown);
    const worst = Math.max(...loads.map((l) => l.shown));
    console.log(
      `render: all ${NODES} shown in ${ms(Math.min(...loads.map((l) => l.shown)))}–${ms(worst)}` +
        (warm.length ? ` (warm loads ${warm.map(ms).join(", ")})` : "") +
        ` — target < 1500 ms: ${worst < 1500 ? "met" : "missed"}`,
    );

    console.log(
      pageErrors.length === 0
        ? "page errors: none"
        : `page errors (${pageErrors.length}): ${pageErrors.slice(0, 3).join(" | ").slice(0, 600)}`,
    );
    // Let the initial fitView animation and the autosave's first check settle before panning.
    await page.waitForTimeout(1000);
    if (process.env.BENCH_SCREENSHOT) await page.screenshot({ path: process.env.BENCH_SCREENSHOT });
    if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
    const idle = await measureFrames(page, false);
    console.log(
      `idle ${PAN_MS} ms (no input, baseline): ${idle.frames} frames, median ${ms(idle.median)}, ` +
        `p95 ${ms(idle.p95)}, max ${ms(idle.max)}, ${idle.over50} over 50 ms`,
    );
    const trace = process.env.BENCH_TRACE;
    if (trace) await browser.startTracing(page, { path: trace, categories: TRACE_CATEGORIES });
    const pan = await measureFrames(page, true);
    if (trace) printTraceSummary(await browser.stopTracing());
    console.log(
      `pan ${PAN_MS} ms (${pan.moves} mouse moves): ${pan.frames} frames, median ${ms(pan.median)}, ` +
        `p95 ${ms(pan.p95)}, max ${ms(pan.max)}, ${pan.over50} over 50 ms; ${pan.longTasks} long tasks ` +
        `(${ms(pan.longTaskMs)}) — target none over 50 ms: ${pan.over50 === 0 ? "met" : "missed"}`,
    );
    for (const [label, run] of [
      ["idle", idle],
      ["pan", pan],
    ] as const) {
      const t = run.mainThread;
      console.log(
        `main thread while ${label}: tasks ${ms(t.tasks)}, script ${ms(t.script)}, style ${ms(t.style)}, ` +
          `layout ${ms(t.layout)}`,
      );
    }
  } finally {
    await browser.close();
    app.stop();
  }
}

await main();
