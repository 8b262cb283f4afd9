/**
 * The services a node's `execute` may use. packages/nodes only declares them (it stays pure:
 * the editor imports it); packages/engine implements them and injects them per step.
 */

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface HttpRequest {
  url: string;
  method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Whole-request timeout, milliseconds. */
  timeoutMs?: number;
  /** Largest response body accepted, bytes; bigger bodies fail the request. */
  maxResponseBytes?: number;
  /** Follow redirects (each hop is checked again); default true, at most 5 hops. */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Final URL after redirects. */
  url: string;
  body: Uint8Array;
  text(): string;
  /** Parses the body as JSON; throws a clear error when it is not JSON. */
  json(): unknown;
}

export interface HttpStreamRequest {
  url: string;
  method?: HttpRequest["method"];
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Time until the response headers arrive, milliseconds; the body may then stream for as long as it lasts. */
  timeoutMs?: number;
  /** Largest number of body bytes read over the whole stream; more fails the stream. */
  maxResponseBytes?: number;
  /** Ends the request and its body stream. */
  signal?: AbortSignal;
}

/** Outbound HTTP: the one SSRF-safe fetch (DESIGN §7). */
export interface HttpService {
  fetch(request: HttpRequest): Promise<HttpResponse>;
  /**
   * The same checks, with the body as a stream (Server-Sent Events, long-lived protocol connections). Redirects
   * are not followed: a 3xx is returned as it is, for the caller to follow through `stream` again.
   */
  stream(request: HttpStreamRequest): Promise<Response>;
}

export interface SandboxRunInput {
  /** JavaScript source: the body of an async function receiving `input`; its return value is the result. */
  code: string;
  input: JsonValue;
  timeoutMs?: number;
  memoryLimitBytes?: number;
}

export interface SandboxLogLine {
  level: "log" | "info" | "warn" | "error";
  message: string;
}

export interface SandboxRunResult {
  /** The returned value, as JSON. */
  result: JsonValue;
  logs: SandboxLogLine[];
}

/** User code in a WebAssembly sandbox with memory and time limits and no host objects. */
export interface SandboxService {
  run(input: SandboxRunInput): Promise<SandboxRunResult>;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** USD from the price table when the call was priced (docs/ai.md); recorded on the step and the run. */
  costUsd?: number | null;
}

/** Token usage of one model call with its cost from the price table (docs/ai.md); null when unpriced. */
export interface LlmUsage extends TokenUsage {
  costUsd: number | null;
}

export interface AiModelRef {
  /** Credential id of a model provider credential (openai, openaiCompatible, anthropic, gemini). */
  credentialId: string;
  model: string;
}

/**
 * One message of a conversation with tools (an agent's history). `assistant.content` is what `generateTurn`
 * returned as `assistant`, passed back unchanged (it may carry provider data such as reasoning or signatures).
 */
export type AiMessage =
  | { role: "user"; text: string }
  | { role: "assistant"; content: JsonValue }
  | {
      role: "tool";
      results: { toolCallId: string; toolName: string; output: JsonValue; isError: boolean }[];
    };

/** A tool the model may call: Runnel runs it itself, so there is no implementation here. */
export interface AiToolDeclaration {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
}

export interface AiToolCall {
  id: string;
  name: string;
  /** The parsed arguments, or the raw text when the model sent something that is not JSON. */
  arguments: JsonValue;
}

export interface AiTurn {
  text: string;
  toolCalls: AiToolCall[];
  /** The assistant message to append to the history (JSON). */
  assistant: JsonValue;
  /** With `outputSchema` and no tool calls: the answer, validated against the schema. */
  object?: JsonValue;
  usage: LlmUsage;
  finishReason: string;
}

export interface AiService {
  /** One model call over a message history with tool declarations; the caller runs any tool calls. */
  generateTurn(
    input: AiModelRef & {
      system?: string;
      messages: AiMessage[];
      tools: AiToolDeclaration[];
      toolChoice?: "auto" | "required" | "none";
      temperature?: number;
      /** The final answer must match this JSON Schema (structured output). */
      outputSchema?: Record<string, unknown>;
    },
  ): Promise<AiTurn>;
  generateText(
    input: AiModelRef & {
      system?: string;
      prompt: string;
      temperature?: number;
      maxOutputTokens?: number;
    },
  ): Promise<{ text: string; usage: LlmUsage; finishReason: string }>;
  generateObject(
    input: AiModelRef & {
      system?: string;
      prompt: string;
      jsonSchema: Record<string, unknown>;
      temperature?: number;
    },
  ): Promise<{ object: JsonValue; usage: LlmUsage }>;
  embed(
    input: AiModelRef & { values: string[] },
  ): Promise<{ embeddings: number[][]; usage: TokenUsage }>;
}

export interface CredentialsService {
  /** Decrypted secret fields of a credential of this org; fails if it is missing or of another type. */
  get(credentialId: string, expectedType: string): Promise<Record<string, string>>;
  /** Like `get` for a slot that accepts several types; answers which type the credential is. */
  resolve(
    credentialId: string,
    acceptedTypes: readonly string[],
  ): Promise<{ type: string; data: Record<string, string> }>;
}

export interface LogService {
  log(level: "debug" | "info" | "warn" | "error", message: string, data?: JsonValue): void;
}

export interface NodeRunInfo {
  runId: string;
  orgId: string;
  flowId: string;
  nodeId: string;
  attempt: number;
}

export interface NodeContext {
  run: NodeRunInfo;
  http: HttpService;
  sandbox: SandboxService;
  ai: AiService;
  credentials: CredentialsService;
  log: LogService;
  /** Reports token usage (and its cost, when priced) so it is recorded on the step and the run. */
  recordUsage(usage: TokenUsage): void;
}
