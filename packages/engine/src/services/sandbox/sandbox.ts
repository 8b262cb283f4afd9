import type {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
} from "quickjs-emscripten";
import { newQuickJSWASMModule } from "quickjs-emscripten";

import type {
  JsonValue,
  SandboxLogLine,
  SandboxRunInput,
  SandboxRunResult,
  SandboxService,
} from "@runnel/nodes";

export interface SandboxOptions {
  /** Time limit when a run names none, ms (default 1 000). */
  defaultTimeoutMs?: number;
  /** Largest time limit a run may ask for, ms (default 30 000). */
  maxTimeoutMs?: number;
  /** Memory limit when a run names none, bytes (default 64 MiB). */
  defaultMemoryLimitBytes?: number;
  /** Largest memory limit a run may ask for, bytes (default 256 MiB). */
  maxMemoryLimitBytes?: number;
  /** Largest serialised result, bytes (default 4 MiB). */
  maxOutputBytes?: number;
  /** Largest serialised input, bytes (default 16 MiB). */
  maxInputBytes?: number;
  /** Console lines kept per run (default 1 000); later lines are counted, not kept. */
  maxLogLines?: number;
  /** Characters kept of one console line (default 8 000). */
  maxLogLineChars?: number;
  /** Interpreter stack, bytes (default 1 MiB). */
  maxStackBytes?: number;
}

export type SandboxErrorCode =
  | "SANDBOX_TIMEOUT"
  | "SANDBOX_MEMORY"
  | "SANDBOX_SYNTAX"
  | "SANDBOX_THROWN"
  | "SANDBOX_NEVER_SETTLED"
  | "SANDBOX_OUTPUT"
  | "SANDBOX_INPUT";

/** A failed run. `logs` holds what the code printed before it failed. */
export class SandboxError extends Error {
  override readonly name = "SandboxError";
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    readonly logs: SandboxLogLine[],
  ) {
    super(message);
  }
}

/**
 * Trusted setup evaluated in each fresh context before the user's code: it installs `console`
 * (forwarding formatted strings to the host's log function) and returns `parse` and `serialize`,
 * holding their own references to JSON so user code that rewrites globals cannot change them.
 */
const SETUP = `(function (hostLog) {
  "use strict";
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const isArray = Array.isArray;
  const keys = Object.keys;
  const isFiniteNumber = Number.isFinite;
  const format = (value) => {
    if (typeof value === "string") return value;
    try {
      const text = stringify(value);
      return text === undefined ? String(value) : text;
    } catch (error) {
      return String(value);
    }
  };
  const logger = (level) => (...args) => { hostLog(level, args.map(format).join(" ")); };
  globalThis.console = {
    log: logger("log"), info: logger("info"), warn: logger("warn"), error: logger("error"), debug: logger("log"),
  };
  const check = (value, path, ancestors) => {
    const type = typeof value;
    if (type === "function" || type === "bigint" || type === "symbol") {
      throw new TypeError(path + " is a " + type + ", which is not JSON");
    }
    if (type === "number" && !isFiniteNumber(value)) {
      throw new TypeError(path + " is " + String(value) + ", which is not JSON");
    }
    if (value === null || type !== "object") return;
    if (ancestors.includes(value)) throw new TypeError(path + " refers back to an enclosing value (a cycle), which is not JSON");
    ancestors.push(value);
    if (isArray(value)) {
      for (let i = 0; i < value.length; i++) check(value[i], path + "[" + i + "]", ancestors);
    } else {
      for (const key of keys(value)) check(value[key], path + "." + key, ancestors);
    }
    ancestors.pop();
  };
  return {
    parse: (text) => parse(text),
    serialize: (value) => {
      if (value === undefined) return "null";
      check(value, "result", []);
      return stringify(value);
    },
  };
})`;

interface DumpedError {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
}

function describeThrown(dumped: unknown): string {
  if (typeof dumped === "object" && dumped !== null) {
    const { name, message, stack } = dumped as DumpedError;
    const head =
      typeof message === "string"
        ? `${typeof name === "string" ? name : "Error"}: ${message}`
        : JSON.stringify(dumped);
    const where =
      typeof stack === "string"
        ? stack.split("\n").find((line) => line.includes("code.js"))
        : undefined;
    return where === undefined ? head : `${head} (${where.trim()})`;
  }
  return `a thrown value: ${JSON.stringify(dumped) ?? String(dumped)}`;
}

/** User code in QuickJS (WebAssembly): a fresh runtime and context per run, no host objects. */
export function createSandboxService(options: SandboxOptions = {}): SandboxService {
  const limits = {
    defaultTimeoutMs: options.defaultTimeoutMs ?? 1_000,
    maxTimeoutMs: options.maxTimeoutMs ?? 30_000,
    defaultMemory: options.defaultMemoryLimitBytes ?? 64 * 1024 * 1024,
    maxMemory: options.maxMemoryLimitBytes ?? 256 * 1024 * 1024,
    maxOutputBytes: options.maxOutputBytes ?? 4 * 1024 * 1024,
    maxInputBytes: options.maxInputBytes ?? 16 * 1024 * 1024,
    maxLogLines: options.maxLogLines ?? 1_000,
    maxLogLineChars: options.maxLogLineChars ?? 8_000,
    maxStackBytes: options.maxStackBytes ?? 1024 * 1024,
  };

  // One WebAssembly module per service; each run gets its own runtime and context in it. When a
  // runtime cannot be freed cleanly the module is replaced, so one bad run cannot affect the next.
  let modulePromise: Promise<QuickJSWASMModule> | null = null;
  const loadModule = (): Promise<QuickJSWASMModule> => (modulePromise ??= newQuickJSWASMModule());

  async function run(request: SandboxRunInput): Promise<SandboxRunResult> {
    const timeoutMs = Math.min(
      Math.max(request.timeoutMs ?? limits.defaultTimeoutMs, 1),
      limits.maxTimeoutMs,
    );
    const memoryBytes = Math.min(
      request.memoryLimitBytes ?? limits.defaultMemory,
      limits.maxMemory,
    );
    const inputJson = JSON.stringify(request.input);
    if (Buffer.byteLength(inputJson) > limits.maxInputBytes) {
      throw new SandboxError(
        "SANDBOX_INPUT",
        `Code input is larger than ${limits.maxInputBytes} bytes`,
        [],
      );
    }

    const logs: SandboxLogLine[] = [];
    let dropped = 0;
    const quickjs = await loadModule();
    const runtime = quickjs.newRuntime();
    let interrupted = false;
    try {
      runtime.setMemoryLimit(memoryBytes);
      runtime.setMaxStackSize(limits.maxStackBytes);
      const deadline = Date.now() + timeoutMs;
      runtime.setInterruptHandler(() => {
        if (Date.now() > deadline) interrupted = true;
        return interrupted;
      });
      const vm = runtime.newContext();
      const handles: QuickJSHandle[] = [];
      const keep = (handle: QuickJSHandle): QuickJSHandle => {
        handles.push(handle);
        return handle;
      };
      const fail = (code: SandboxErrorCode, message: string): SandboxError => {
        if (dropped > 0)
          logs.push({ level: "warn", message: `${dropped} more console lines were dropped` });
        return new SandboxError(code, message, logs);
      };
      const failFromHandle = (errorHandle: QuickJSHandle, context: string): SandboxError => {
        const dumped: unknown = vm.dump(errorHandle);
        errorHandle.dispose();
        if (interrupted)
          return fail("SANDBOX_TIMEOUT", `Code exceeded its time limit of ${timeoutMs} ms`);
        const description = describeThrown(dumped);
        if (/out of memory/i.test(description)) {
          return fail(
            "SANDBOX_MEMORY",
            `Code exceeded its memory limit of ${Math.round(memoryBytes / 1024 / 1024)} MB`,
          );
        }
        return fail("SANDBOX_THROWN", `${context}: ${description}`);
      };

      try {
        const hostLog = keep(
          vm.newFunction("hostLog", (levelHandle, messageHandle) => {
            if (logs.length >= limits.maxLogLines) {
              dropped++;
              return;
            }
            const level = vm.getString(levelHandle);
            const message = vm.getString(messageHandle);
            logs.push({
              level: level === "info" || level === "warn" || level === "error" ? level : "log",
              message:
                message.length > limits.maxLogLineChars
                  ? `${message.slice(0, limits.maxLogLineChars)}…`
                  : message,
            });
          }),
        );
        const setupFn = keep(vm.unwrapResult(vm.evalCode(SETUP, "runnel-setup.js")));
        const helpers = keep(vm.unwrapResult(vm.callFunction(setupFn, vm.undefined, hostLog)));
        const parse = keep(vm.getProp(helpers, "parse"));
        const serialize = keep(vm.getProp(helpers, "serialize"));

        const compiled = vm.evalCode(`(async function (input) {${request.code}\n})`, "code.js");
        if (compiled.error) {
          const dumped: unknown = vm.dump(compiled.error);
          compiled.error.dispose();
          throw fail("SANDBOX_SYNTAX", `Code does not compile: ${describeThrown(dumped)}`);
        }
        const userFn = keep(compiled.value);
        const inputText = keep(vm.newString(inputJson));
        const inputValue = keep(vm.unwrapResult(vm.callFunction(parse, vm.undefined, inputText)));

        const called = vm.callFunction(userFn, vm.undefined, inputValue);
        if (called.error) throw failFromHandle(called.error, "Code threw");
        const promise = keep(called.value);
        const jobs = runtime.executePendingJobs(-1);
        if (jobs.error) throw failFromHandle(jobs.error, "Code threw");

        const state = vm.getPromiseState(promise);
        if (interrupted) {
          if (state.type !== "pending")
            (state.type === "rejected" ? state.error : state.value).dispose();
          throw fail("SANDBOX_TIMEOUT", `Code exceeded its time limit of ${timeoutMs} ms`);
        }
        if (state.type === "pending") {
          throw fail(
            "SANDBOX_NEVER_SETTLED",
            "Code awaited a promise that never settles (the sandbox has no timers or I/O)",
          );
        }
        if (state.type === "rejected") throw failFromHandle(state.error, "Code threw");
        const value = keep(state.value);
        const serialized = vm.callFunction(serialize, vm.undefined, value);
        if (serialized.error)
          throw failFromHandle(serialized.error, "Code returned a value that is not JSON");
        const text = vm.getString(serialized.value);
        serialized.value.dispose();
        if (Buffer.byteLength(text) > limits.maxOutputBytes) {
          throw fail(
            "SANDBOX_OUTPUT",
            `Code returned more than ${limits.maxOutputBytes} bytes of JSON`,
          );
        }
        if (dropped > 0)
          logs.push({ level: "warn", message: `${dropped} more console lines were dropped` });
        return { result: JSON.parse(text) as JsonValue, logs };
      } catch (error) {
        if (error instanceof SandboxError) throw error;
        throw mapHostError(error, interrupted, timeoutMs, memoryBytes, logs);
      } finally {
        for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
        if (!disposeQuietly(vm)) modulePromise = null;
      }
    } finally {
      if (!disposeQuietly(runtime)) modulePromise = null;
    }
  }

  return { run };
}

/** Errors the QuickJS bindings raise on the host side (e.g. out of memory while copying). */
function mapHostError(
  error: unknown,
  interrupted: boolean,
  timeoutMs: number,
  memoryBytes: number,
  logs: SandboxLogLine[],
): SandboxError {
  if (interrupted)
    return new SandboxError(
      "SANDBOX_TIMEOUT",
      `Code exceeded its time limit of ${timeoutMs} ms`,
      logs,
    );
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory/i.test(message)) {
    return new SandboxError(
      "SANDBOX_MEMORY",
      `Code exceeded its memory limit of ${Math.round(memoryBytes / 1024 / 1024)} MB`,
      logs,
    );
  }
  return new SandboxError("SANDBOX_THROWN", `Code failed: ${message}`, logs);
}

/**
 * Disposes a context or runtime; false when QuickJS refused (it asserts that no object is still
 * referenced when a runtime is freed, which an interrupted or out-of-memory run can break).
 */
function disposeQuietly(target: QuickJSContext | QuickJSRuntime): boolean {
  try {
    if (target.alive) target.dispose();
    return true;
  } catch {
    return false;
  }
}
