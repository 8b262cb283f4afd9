import { z } from "zod";

/**
 * The parts of Inngest's SDK protocol (inngest 4.x, dev-server flavour) that this executor speaks.
 * Shapes checked against the installed SDK: InngestCommHandler (registerBody, handleAction),
 * InngestFunction.getConfig, execution/engine (ops), api/schema (steps memo).
 */

export const Trigger = z.union([
  z.object({ event: z.string().min(1), expression: z.string().optional() }),
  z.object({ cron: z.string().min(1), jitter: z.string().optional() }),
]);
export type Trigger = z.infer<typeof Trigger>;

const ConcurrencyOption = z.union([
  z.number().int(),
  z.object({
    limit: z.number().int(),
    key: z.string().optional(),
    scope: z.enum(["fn", "env", "account"]).optional(),
  }),
]);

export const CancelOption = z.object({
  event: z.string().min(1),
  if: z.string().optional(),
  timeout: z.string().optional(),
});

export const FunctionConfig = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    triggers: z.array(Trigger).default([]),
    steps: z.record(
      z.string(),
      z.object({
        id: z.string(),
        name: z.string().optional(),
        runtime: z.object({ type: z.string(), url: z.string() }),
        retries: z.object({ attempts: z.number().int().min(0) }).optional(),
      }),
    ),
    concurrency: z.union([ConcurrencyOption, z.array(ConcurrencyOption)]).optional(),
    idempotency: z.string().optional(),
    cancel: z.array(CancelOption).optional(),
  })
  .passthrough();
export type FunctionConfig = z.infer<typeof FunctionConfig>;

export const RegisterBody = z
  .object({
    url: z.string().url(),
    appName: z.string().min(1),
    framework: z.string().optional(),
    sdk: z.string().optional(),
    functions: z.array(z.unknown()).default([]),
  })
  .passthrough();
export type RegisterBody = z.infer<typeof RegisterBody>;

/** Options the SDK can send that this executor does not implement; a function using one is rejected. */
export const unsupportedFunctionOptions = [
  "batchEvents",
  "rateLimit",
  "throttle",
  "debounce",
  "priority",
  "timeouts",
  "singleton",
] as const;

/** Checks one raw function config: returns the parsed config or the problems, each naming the function and field. */
export function checkFunctionConfig(
  raw: unknown,
  index: number,
): { config?: FunctionConfig; problems: string[] } {
  const parsed = FunctionConfig.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `functions[${index}].${issue.path.join(".")}: ${issue.message}`,
    );
    return { problems };
  }
  const config = parsed.data;
  const problems: string[] = [];
  for (const option of unsupportedFunctionOptions) {
    const value: unknown = config[option];
    if (value !== undefined && value !== null) {
      problems.push(
        `function "${config.id}": option "${option}" is not supported by the Runnel executor`,
      );
    }
  }
  const concurrency = normaliseConcurrency(config.concurrency);
  if (concurrency.length > 2) {
    problems.push(
      `function "${config.id}": at most 2 concurrency limits are allowed (got ${concurrency.length})`,
    );
  }
  for (const limit of concurrency) {
    if (limit.scope === "account") {
      problems.push(
        `function "${config.id}": concurrency scope "account" is not supported (use "fn" or "env")`,
      );
    }
  }
  if (!config.steps.step)
    problems.push(`function "${config.id}": steps.step (the serve URL) is missing`);
  return { config, problems };
}

export interface ConcurrencyLimit {
  limit: number;
  key?: string;
  scope: "fn" | "env" | "account";
}

export function normaliseConcurrency(value: FunctionConfig["concurrency"]): ConcurrencyLimit[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list
    .map((entry) =>
      typeof entry === "number"
        ? { limit: entry, scope: "fn" as const }
        : { ...entry, scope: entry.scope ?? "fn" },
    )
    .filter((entry) => entry.limit > 0);
}

/** Default retries of a function when the SDK does not say (helpers/consts defaultMaxRetries). */
export const defaultRetries = 3;

export const SerializedError = z
  .object({
    name: z.string().optional(),
    message: z.string().optional(),
    stack: z.string().optional(),
  })
  .passthrough();
export type SerializedError = z.infer<typeof SerializedError>;

/** One opcode in a 206 answer (engine.js: StepRun, StepPlanned, Sleep, WaitForEvent, InvokeFunction, ...). */
export const OutgoingOp = z
  .object({
    id: z.string().min(1),
    op: z.string().min(1),
    name: z.string().optional(),
    displayName: z.string().optional(),
    opts: z.record(z.string(), z.unknown()).optional().nullable(),
    data: z.unknown().optional(),
    error: z.unknown().optional(),
  })
  .passthrough();
export type OutgoingOp = z.infer<typeof OutgoingOp>;

export const OpsResponse = z.array(OutgoingOp).min(1);

export const supportedOpcodes = [
  "StepRun",
  "StepError",
  "StepFailed",
  "StepPlanned",
  "Sleep",
  "WaitForEvent",
  "InvokeFunction",
  "RunComplete",
] as const;

export const WaitForEventOpts = z.object({ timeout: z.string().min(1), if: z.string().optional() });
export const InvokeOpts = z.object({
  function_id: z.string().min(1),
  payload: z
    .object({ data: z.unknown().optional(), v: z.string().optional() })
    .passthrough()
    .optional(),
  timeout: z.string().optional(),
});

/**
 * The body of POST /v1/checkpoint/:runId/async (inngest 4.x api.checkpointStepsAsync): steps the SDK ran
 * within one request, in the order they completed.
 */
export const CheckpointBody = z
  .object({
    run_id: z.string().optional(),
    fn_id: z.string().optional(),
    qi_id: z.string().min(1),
    steps: z.array(OutgoingOp),
  })
  .passthrough();
export type CheckpointBody = z.infer<typeof CheckpointBody>;

/** An event as the SDK sends it to POST /e/:key. */
export const IncomingEvent = z
  .object({
    name: z.string().min(1),
    data: z.record(z.string(), z.unknown()).optional().nullable(),
    user: z.record(z.string(), z.unknown()).optional().nullable(),
    id: z.string().optional().nullable(),
    ts: z.number().optional().nullable(),
    v: z.string().optional().nullable(),
  })
  .passthrough();
export type IncomingEvent = z.infer<typeof IncomingEvent>;

/** The event shape stored and handed to functions. */
export interface StoredEvent {
  id: string;
  name: string;
  data: Record<string, unknown>;
  user?: Record<string, unknown>;
  ts: number;
  v?: string;
}

export type MemoEntry = { data: unknown } | { error: unknown };

/** The body the executor POSTs to the serve URL to run (part of) a function. */
export interface RunRequestBody {
  event: StoredEvent;
  events: StoredEvent[];
  steps: Record<string, MemoEntry>;
  ctx: {
    run_id: string;
    attempt: number;
    max_attempts: number;
    disable_immediate_execution: boolean;
    use_api: false;
    stack: { stack: string[]; current: number };
    /**
     * Sent only on discovery requests that may checkpoint: with `fn_id` (and `qi_id`) the SDK runs consecutive
     * steps in one request and reports each to POST /v1/checkpoint/:runId/async.
     */
    fn_id?: string;
    qi_id?: string;
  };
  version: 2;
}

const units: Record<string, number> = {
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/** Parses Inngest time strings ("1d2h30m10s", "500ms") into milliseconds; undefined when invalid. */
export function parseDuration(value: string): number | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    const [whole, amount, unit] = match;
    const factor = unit ? units[unit] : undefined;
    if (factor === undefined || amount === undefined) return undefined;
    total += Number(amount) * factor;
    consumed += whole.length;
  }
  return consumed === trimmed.length ? total : undefined;
}

/** A Sleep op names either a duration ("1h30m") or an ISO date (sleepUntil). Returns the wake-up time. */
export function sleepUntil(name: string, now: Date): Date | undefined {
  const duration = parseDuration(name);
  if (duration !== undefined) return new Date(now.getTime() + duration);
  const date = new Date(name);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
