import type { Database } from "@runnel/db";
import type {
  CredentialsService,
  HttpService,
  JsonValue,
  NodeContext,
  NodeRunInfo,
  TokenUsage,
} from "@runnel/nodes";

import type { SafeHttpOptions, SafeHttpService } from "./http/safe-fetch";
import type { SandboxOptions } from "./sandbox/options";
import type { SandboxPool } from "./sandbox/pool";
import { createAiService } from "./ai/ai";
import { createCredentialsService } from "./credentials/credentials";
import { createHttpService } from "./http/safe-fetch";
import { createSandboxPool } from "./sandbox/pool";

/** Process-wide services shared by every step (connection pools, the code sandbox's worker pool). */
export interface EngineServices {
  db: Database;
  /** 32-byte credential master key. */
  masterKey: Buffer;
  http: HttpService;
  /** Worker threads running user code; `stats()` feeds metrics. */
  sandbox: SandboxPool;
  ai: { timeoutMs?: number; maxRetries?: number };
}

export interface EngineServicesOptions {
  db: Database;
  masterKey: Buffer;
  /** SSRF-safe fetch settings, notably `allow` (the private-target allow-list). */
  http?: SafeHttpOptions;
  sandbox?: SandboxOptions;
  ai?: { timeoutMs?: number; maxRetries?: number };
}

/** Builds the shared services once per process; `close` releases pooled connections and workers. */
export function createEngineServices(
  options: EngineServicesOptions,
): EngineServices & { close(): Promise<void> } {
  const http: SafeHttpService = createHttpService(options.http);
  const sandbox = createSandboxPool(options.sandbox);
  return {
    db: options.db,
    masterKey: options.masterKey,
    http,
    sandbox,
    ai: options.ai ?? {},
    close: async () => {
      await Promise.all([http.close(), sandbox.close()]);
    },
  };
}

export interface StepLogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  data?: JsonValue;
  at: Date;
}

export interface NodeContextOptions {
  run: NodeRunInfo;
  services: EngineServices;
  /** Called for every log line (after secret redaction), e.g. to append run events. */
  onLog?: (entry: StepLogEntry) => void;
  /** Called for every usage report, e.g. to update run totals. */
  onUsage?: (usage: TokenUsage) => void;
}

/** What a step's usage reports add up to: tokens, and the USD of the priced calls (unpriced ones add 0). */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
}

/** A NodeContext plus what the step collected: its log lines and summed token usage. */
export interface StepNodeContext extends NodeContext {
  readonly logs: StepLogEntry[];
  readonly usage: StepUsage;
}

const REDACTED = "[redacted]";
/** Secret values shorter than this are not redacted (they would mangle ordinary text). */
const MIN_REDACT_LENGTH = 4;

function redact(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

function redactJson(value: JsonValue, secrets: ReadonlySet<string>): JsonValue {
  if (typeof value === "string") return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, secrets));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactJson(item, secrets);
    return out;
  }
  return value;
}

/**
 * The services a node's execute receives for one step: credentials scoped to the run's org,
 * the SSRF-safe fetch, the sandbox, the AI service, a log that redacts every credential value
 * this step has read, and usage accounting.
 */
export function createNodeContext({
  run,
  services,
  onLog,
  onUsage,
}: NodeContextOptions): StepNodeContext {
  const secrets = new Set<string>();
  const orgCredentials = createCredentialsService({
    db: services.db,
    masterKey: services.masterKey,
    orgId: run.orgId,
  });
  const remember = (data: Record<string, string>) => {
    for (const value of Object.values(data))
      if (value.length >= MIN_REDACT_LENGTH) secrets.add(value);
    return data;
  };
  const credentials: CredentialsService = {
    async get(credentialId, expectedType) {
      return remember(await orgCredentials.get(credentialId, expectedType));
    },
    async resolve(credentialId, acceptedTypes) {
      const resolved = await orgCredentials.resolve(credentialId, acceptedTypes);
      remember(resolved.data);
      return resolved;
    },
  };
  const logs: StepLogEntry[] = [];
  const usage: StepUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };

  return {
    run,
    http: services.http,
    sandbox: services.sandbox.forOrg(run.orgId),
    ai: createAiService({ credentials, http: services.http, ...services.ai }),
    credentials,
    log: {
      log(level, message, data) {
        const entry: StepLogEntry = {
          level,
          message: redact(message, secrets),
          ...(data === undefined ? {} : { data: redactJson(data, secrets) }),
          at: new Date(),
        };
        logs.push(entry);
        onLog?.(entry);
      },
    },
    recordUsage(reported) {
      usage.inputTokens += reported.inputTokens;
      usage.outputTokens += reported.outputTokens;
      usage.totalTokens += reported.totalTokens;
      usage.costUsd += reported.costUsd ?? 0;
      onUsage?.(reported);
    },
    logs,
    usage,
  };
}
