import type {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
} from "quickjs-emscripten";

import type { SandboxLogLine } from "@runnel/nodes";

import type { SandboxErrorCode } from "./errors";
import type { RunOutcome, WorkerJob } from "./protocol";
import { memoryMessage, timeoutMessage } from "./errors";

/**
 * Trusted setup evaluated in each fresh context before the user's code: it installs `console`
 * (forwarding formatted, already truncated strings to the host's log function) and returns `parse`,
 * `serialize` and `describe`, holding their own references to built-ins so user code that rewrites
 * globals cannot change them. Everything that crosses to the host is bounded here, inside QuickJS, so
 * the worker's own heap never holds more than the limits allow (docs/security.md, "Code sandbox").
 */
const SETUP = `(function (hostLog, maxLineChars, maxOutputChars) {
  "use strict";
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const isArray = Array.isArray;
  const keys = Object.keys;
  const isFiniteNumber = Number.isFinite;
  const StringOf = String;
  const clip = (text, max) => (text.length > max ? text.slice(0, max) + "…" : text);
  const format = (value) => {
    if (typeof value === "string") return value;
    try {
      const text = stringify(value);
      return text === undefined ? StringOf(value) : text;
    } catch (error) {
      return StringOf(value);
    }
  };
  const logger = (level) => (...args) => { hostLog(level, clip(args.map(format).join(" "), maxLineChars)); };
  globalThis.console = {
    log: logger("log"), info: logger("info"), warn: logger("warn"), error: logger("error"), debug: logger("log"),
  };
  const check = (value, path, ancestors) => {
    const type = typeof value;
    if (type === "function" || type === "bigint" || type === "symbol") {
      throw new TypeError(path + " is a " + type + ", which is not JSON");
    }
    if (type === "number" && !isFiniteNumber(value)) {
      throw new TypeError(path + " is " + StringOf(value) + ", which is not JSON");
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
  const describe = (thrown) => {
    if (typeof thrown === "object" && thrown !== null && typeof thrown.message === "string") {
      const name = typeof thrown.name === "string" ? thrown.name : "Error";
      const stack = typeof thrown.stack === "string" ? thrown.stack : "";
      const where = stack.split("\\n").find((line) => line.includes("code.js"));
      return clip(name + ": " + thrown.message + (where === undefined ? "" : " (" + where.trim() + ")"), 2000);
    }
    return clip((typeof thrown === "object" && thrown !== null ? "" : "a thrown value: ") + format(thrown), 2000);
  };
  return {
    parse: (text) => parse(text),
    describe,
    serialize: (value) => {
      if (value === undefined) return "null";
      check(value, "result", []);
      const text = stringify(value);
      return text.length > maxOutputChars ? text.length : text;
    },
  };
})`;

const OUT_OF_MEMORY =
  /out of memory|memory access out of bounds|Cannot enlarge memory|unreachable/i;

/**
 * Runs one job in a fresh QuickJS runtime and context of `quickjs`: the code is the body of an async
 * function receiving `input`. Never throws; `tainted` says QuickJS could not be cleaned up (the
 * module should then be dropped). `memoryExhausted` says whether the module's WebAssembly memory
 * is at its cap: QuickJS then cannot even allocate its error and throws `null`.
 */
export function runInQuickJs(
  quickjs: QuickJSWASMModule,
  job: WorkerJob,
  memoryExhausted: () => boolean,
): { outcome: RunOutcome; tainted: boolean } {
  const { limits, deadline } = job;
  const logs: SandboxLogLine[] = [];
  let dropped = 0;
  let interrupted = false;
  let tainted = false;

  const fail = (code: SandboxErrorCode, message: string): RunOutcome => {
    if (dropped > 0)
      logs.push({ level: "warn", message: `${dropped} more console lines were dropped` });
    return { ok: false, code, message, logs };
  };
  const timedOut = () =>
    fail("SANDBOX_TIMEOUT", timeoutMessage(job.timeoutMs, limits.maxTimeoutMs));
  const outOfMemory = () =>
    fail("SANDBOX_MEMORY", memoryMessage(job.memoryBytes, limits.maxMemoryBytes));

  let runtime: QuickJSRuntime | undefined;
  let vm: QuickJSContext | undefined;
  const handles: QuickJSHandle[] = [];
  const keep = (handle: QuickJSHandle): QuickJSHandle => {
    handles.push(handle);
    return handle;
  };

  const execute = (): RunOutcome => {
    runtime = quickjs.newRuntime();
    runtime.setMemoryLimit(job.memoryBytes);
    runtime.setMaxStackSize(limits.maxStackBytes);
    runtime.setInterruptHandler(() => {
      if (Date.now() > deadline) interrupted = true;
      return interrupted;
    });
    const context = runtime.newContext();
    vm = context;

    const hostLog = keep(
      context.newFunction("hostLog", (levelHandle, messageHandle) => {
        if (logs.length >= limits.maxLogLines) {
          dropped++;
          return;
        }
        const level = context.getString(levelHandle);
        logs.push({
          level: level === "info" || level === "warn" || level === "error" ? level : "log",
          message: context.getString(messageHandle),
        });
      }),
    );
    const setupFn = keep(context.unwrapResult(context.evalCode(SETUP, "runnel-setup.js")));
    const helpers = keep(
      context.unwrapResult(
        context.callFunction(
          setupFn,
          context.undefined,
          hostLog,
          keep(context.newNumber(limits.maxLogLineChars)),
          keep(context.newNumber(limits.maxOutputBytes)),
        ),
      ),
    );
    const parse = keep(context.getProp(helpers, "parse"));
    const serialize = keep(context.getProp(helpers, "serialize"));
    const describe = keep(context.getProp(helpers, "describe"));

    const failFromHandle = (
      errorHandle: QuickJSHandle,
      code: SandboxErrorCode,
      prefix: string,
    ): RunOutcome => {
      keep(errorHandle);
      if (interrupted) return timedOut();
      if (context.sameValue(errorHandle, context.null) && memoryExhausted()) return outOfMemory();
      const described = context.callFunction(describe, context.undefined, errorHandle);
      if (described.error) {
        keep(described.error);
        return interrupted ? timedOut() : outOfMemory();
      }
      const text = context.getString(keep(described.value));
      if (/^InternalError: out of memory/.test(text)) return outOfMemory();
      return fail(code, `${prefix}: ${text}`);
    };

    const compiled = context.evalCode(`(async function (input) {${job.code}\n})`, "code.js");
    if (compiled.error)
      return failFromHandle(compiled.error, "SANDBOX_SYNTAX", "Code does not compile");
    const userFn = keep(compiled.value);
    const inputText = keep(context.newString(job.inputJson));
    const inputValue = keep(
      context.unwrapResult(context.callFunction(parse, context.undefined, inputText)),
    );

    const called = context.callFunction(userFn, context.undefined, inputValue);
    if (called.error) return failFromHandle(called.error, "SANDBOX_THROWN", "Code threw");
    const promise = keep(called.value);
    const jobs = runtime.executePendingJobs(-1);
    if (jobs.error) return failFromHandle(jobs.error, "SANDBOX_THROWN", "Code threw");

    const state = context.getPromiseState(promise);
    if (state.type === "rejected")
      return failFromHandle(state.error, "SANDBOX_THROWN", "Code threw");
    if (state.type === "fulfilled") keep(state.value);
    if (interrupted) return timedOut();
    if (state.type === "pending") {
      return fail(
        "SANDBOX_NEVER_SETTLED",
        "Code awaited a promise that never settles (the sandbox has no timers or I/O)",
      );
    }
    const serialized = context.callFunction(serialize, context.undefined, state.value);
    if (serialized.error) {
      return failFromHandle(
        serialized.error,
        "SANDBOX_THROWN",
        "Code returned a value that is not JSON",
      );
    }
    keep(serialized.value);
    const text =
      context.typeof(serialized.value) === "number" ? null : context.getString(serialized.value);
    if (text === null || Buffer.byteLength(text) > limits.maxOutputBytes) {
      return fail(
        "SANDBOX_OUTPUT",
        `Code returned more than ${limits.maxOutputBytes} bytes of JSON`,
      );
    }
    if (dropped > 0)
      logs.push({ level: "warn", message: `${dropped} more console lines were dropped` });
    return { ok: true, resultJson: text, logs };
  };

  let outcome: RunOutcome;
  try {
    outcome = execute();
  } catch (error) {
    // The bindings throw on the host side when QuickJS or its WebAssembly memory gives out.
    tainted = true;
    const message = error instanceof Error ? error.message : String(error);
    if (interrupted) outcome = timedOut();
    else if (OUT_OF_MEMORY.test(message)) outcome = outOfMemory();
    else outcome = fail("SANDBOX_THROWN", `Code failed: ${message}`);
  }
  for (const handle of handles.reverse()) tainted = !disposeQuietly(handle) || tainted;
  if (vm) tainted = !disposeQuietly(vm) || tainted;
  if (runtime) tainted = !disposeQuietly(runtime) || tainted;
  return { outcome, tainted };
}

/**
 * Disposes a handle, context or runtime; false when QuickJS refused (it asserts that no object is
 * still referenced when a runtime is freed, which an interrupted or out-of-memory run can break).
 */
function disposeQuietly(target: { alive: boolean; dispose(): void }): boolean {
  try {
    if (target.alive) target.dispose();
    return true;
  } catch {
    return false;
  }
}
