import type { RunStatus } from "@runnel/db/schema";
import { TERMINAL_RUN_STATUSES } from "@runnel/engine";

import type { RunDetailView } from "../rest/handler";
import type { CommandArgs } from "./commands";
import type { RunsBackend } from "./runs-backend";
import { HttpProblem } from "../rest/problem";
import { CliError, usageError } from "./errors";
import { table } from "./output";
import { problemText } from "./runs-backend";
import { directRuns } from "./runs-direct";
import { remoteRuns } from "./runs-remote";

/** Exit code of `runs start --wait` when the run is still going at the end of the wait. */
export const EXIT_STILL_RUNNING = 3;
const MAX_WAIT_SECONDS = 24 * 60 * 60;
const POLL_MS = 250;

/** `--url` / `--api-key` (else RUNNEL_URL / RUNNEL_API_KEY): the server's REST API; undefined without a URL. */
function remoteTarget(args: CommandArgs): { url: string; apiKey: string } | undefined {
  const url = args.values.url ?? args.env.server.url;
  const apiKey = args.values["api-key"] ?? args.env.server.apiKey;
  if (url === undefined) {
    if (args.values["api-key"] !== undefined)
      throw usageError("--api-key goes with --url <server>");
    return undefined;
  }
  if (apiKey === undefined) {
    throw usageError(
      `an API key is needed to call ${url}: --api-key rk_… or RUNNEL_API_KEY (create one with "keys create")`,
    );
  }
  return { url, apiKey };
}

const EMBEDDED =
  "the embedded database (PGlite) is held by the running server, and runs execute inside it: start runs through " +
  "the server's REST API with --url <server URL> --api-key <key> (or RUNNEL_URL and RUNNEL_API_KEY)";

/**
 * Where `runs start` goes: REST when a URL is given; else the Postgres database, where the run and its start
 * request are committed for the server's dispatcher to deliver.
 */
async function startBackend(args: CommandArgs): Promise<RunsBackend> {
  const remote = remoteTarget(args);
  if (remote) return remoteRuns(remote);
  if (!args.env.db.DATABASE_URL) throw new CliError(EMBEDDED);
  const orgSlug = args.values.org;
  if (orgSlug === undefined || orgSlug.trim() === "") {
    throw usageError("--org is required (the org whose deployed flow runs)");
  }
  return directRuns(await args.db(), { orgSlug });
}

/** Where `runs get` reads: REST when a URL is given, else the database (PGlite only while the server is stopped). */
async function getBackend(args: CommandArgs): Promise<RunsBackend> {
  const remote = remoteTarget(args);
  if (remote) return remoteRuns(remote);
  try {
    return directRuns(await args.db(), {});
  } catch (error) {
    if (error instanceof CliError && !args.env.db.DATABASE_URL) {
      throw new CliError(
        `${error.message}\nOr read the run through the server: --url <server URL> --api-key <key>.`,
      );
    }
    throw error;
  }
}

function parseInput(raw: string | undefined): unknown {
  if (raw === undefined) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw usageError(
      `--input is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function parseWait(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || seconds <= 0 || seconds > MAX_WAIT_SECONDS) {
    throw usageError(`--wait must be a number of seconds from 1 to ${MAX_WAIT_SECONDS}`);
  }
  return seconds;
}

/** Runs `work`, turning a problem raised in-process (bad input, unknown flow) into the CLI's message. */
async function asCliErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpProblem) {
      const errors = (error.extensions.errors ?? []) as { path: string; message: string }[];
      throw new CliError(problemText({ detail: error.detail, errors }));
    }
    throw error;
  }
}

const isTerminal = (status: string) => TERMINAL_RUN_STATUSES.has(status as RunStatus);

/** Polls until the run ends or `seconds` pass; returns the last view. */
async function waitForEnd(
  backend: RunsBackend,
  id: string,
  seconds: number,
): Promise<RunDetailView> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const run = await backend.get(id);
    if (!run) throw new CliError(`run ${id} disappeared from ${backend.where}`);
    if (isTerminal(run.status) || Date.now() >= deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline - Date.now())));
  }
}

function tookMs(run: RunDetailView): string {
  if (!run.finishedAt) return "";
  const from = Date.parse(run.startedAt ?? run.createdAt);
  return ` in ${Date.parse(run.finishedAt) - from} ms`;
}

function pretty(value: unknown): string[] {
  return JSON.stringify(value, null, 2).split("\n");
}

function runLines(run: RunDetailView): string[] {
  const lines = [`Run ${run.id}: ${run.status}${tookMs(run)}`, `Flow ${run.flowId}`];
  if (run.steps.length > 0) {
    lines.push(
      ...table([
        ["NODE", "STATUS", "ATTEMPT"],
        ...run.steps.map((s) => [s.nodeId, s.status, String(s.attempt)]),
      ]),
    );
  }
  if (run.status === "succeeded") lines.push("Output:", ...pretty(run.output));
  if (run.error !== null) lines.push("Error:", ...pretty(run.error));
  return lines;
}

function errorMessage(run: RunDetailView): string {
  const error = run.error as { message?: unknown } | null;
  return typeof error?.message === "string" ? error.message : JSON.stringify(run.error);
}

export async function runsStart(args: CommandArgs): Promise<void> {
  const flow = args.positionals[0];
  if (!flow) {
    throw usageError(
      "give the flow: runs start <deployment slug or flow id> --org <slug> --input <json> [--wait <s>]",
    );
  }
  const input = parseInput(args.values.input);
  const wait = parseWait(args.values.wait);
  const backend = await startBackend(args);
  const started = await asCliErrors(() => backend.start(flow, input));
  if (wait === undefined) {
    args.out.result(started, () => [
      `Started run ${started.id} (${started.status}).`,
      `Follow it with: pnpm runnel runs get ${started.id}`,
    ]);
    return;
  }
  const run = await waitForEnd(backend, started.id, wait);
  args.out.result(run, () => runLines(run));
  if (!isTerminal(run.status)) {
    throw new CliError(
      `run ${run.id} is still ${run.status} after ${wait} s; follow it with: pnpm runnel runs get ${run.id}`,
      EXIT_STILL_RUNNING,
    );
  }
  if (run.status === "failed") {
    throw new CliError(
      `run ${run.id} failed${run.failedNodeId ? ` at node ${run.failedNodeId}` : ""}: ${errorMessage(run)}`,
    );
  }
  if (run.status === "cancelled") throw new CliError(`run ${run.id} was cancelled`);
}

export async function runsGet(args: CommandArgs): Promise<void> {
  const id = args.positionals[0];
  if (!id) throw usageError("give the run id: runs get <run id>");
  const backend = await getBackend(args);
  const run = await backend.get(id);
  if (!run) throw new CliError(`no run ${id} in ${backend.where}`);
  args.out.result(run, () => runLines(run));
}
