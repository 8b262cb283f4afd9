import { afterAll, describe, expect, it } from "vitest";

import type { SandboxOptions } from "./options";
import type { SandboxPool } from "./pool";
import { SandboxError } from "./errors";
import { createSandboxPool } from "./pool";

const pools: SandboxPool[] = [];
function createSandbox(options: SandboxOptions) {
  const pool = createSandboxPool(options);
  pools.push(pool);
  return pool.forOrg("org-sandbox-test");
}
afterAll(() => Promise.all(pools.map((pool) => pool.close())));

const sandbox = createSandbox({
  defaultTimeoutMs: 2_000,
  defaultMemoryLimitBytes: 32 * 1024 * 1024,
});

async function failure(promise: Promise<unknown>): Promise<SandboxError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxError);
  return error as SandboxError;
}

describe("sandbox: normal use", () => {
  it("runs the body of an async function with input and returns JSON", async () => {
    const out = await sandbox.run({
      code: "const sum = input.values.reduce((a, b) => a + b, 0); return { sum, name: input.name.toUpperCase() };",
      input: { values: [1, 2, 3], name: "ada" },
    });
    expect(out).toEqual({ result: { sum: 6, name: "ADA" }, logs: [] });
  });

  it("supports await and promise chains", async () => {
    const out = await sandbox.run({
      code: "const a = await Promise.resolve(2); const b = await new Promise((r) => r(3)); return a * b;",
      input: null,
    });
    expect(out.result).toBe(6);
  });

  it("captures console output in order with levels", async () => {
    const out = await sandbox.run({
      code: 'console.log("a", 1, { b: 2 }); console.warn("careful"); console.error(new Error("x").message); console.info(true); return null;',
      input: null,
    });
    expect(out.logs).toEqual([
      { level: "log", message: 'a 1 {"b":2}' },
      { level: "warn", message: "careful" },
      { level: "error", message: "x" },
      { level: "info", message: "true" },
    ]);
  });

  it("returns null when the code returns nothing", async () => {
    expect((await sandbox.run({ code: "const x = 1;", input: null })).result).toBeNull();
  });

  it("reports a thrown error with its message and keeps earlier logs", async () => {
    const error = await failure(
      sandbox.run({ code: 'console.log("before");\nthrow new Error("boom");', input: null }),
    );
    expect(error.code).toBe("SANDBOX_THROWN");
    expect(error.message).toMatch(/Error: boom/);
    expect(error.logs).toEqual([{ level: "log", message: "before" }]);
  });

  it("reports a syntax error", async () => {
    const error = await failure(sandbox.run({ code: "return {", input: null }));
    expect(error.code).toBe("SANDBOX_SYNTAX");
    expect(error.message).toMatch(/does not compile: SyntaxError/);
  });

  it("keeps only the allowed number of log lines", async () => {
    const small = createSandbox({ maxLogLines: 3, workers: 1 });
    const out = await small.run({
      code: "for (let i = 0; i < 10; i++) console.log(i); return 1;",
      input: null,
    });
    expect(out.logs.map((l) => l.message)).toEqual([
      "0",
      "1",
      "2",
      "7 more console lines were dropped",
    ]);
  });
});

describe("sandbox: limits", () => {
  it("stops an infinite loop at the time limit", async () => {
    const started = Date.now();
    const error = await failure(
      sandbox.run({ code: "while (true) {}", input: null, timeoutMs: 300 }),
    );
    expect(error.code).toBe("SANDBOX_TIMEOUT");
    expect(error.message).toMatch(/Code node exceeded its 300 ms time limit/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("stops an endless chain of awaits at the time limit", async () => {
    const error = await failure(
      sandbox.run({ code: "for (;;) { await null; }", input: null, timeoutMs: 300 }),
    );
    expect(error.code).toBe("SANDBOX_TIMEOUT");
  });

  it("stops a memory bomb at the memory limit", async () => {
    const error = await failure(
      sandbox.run({
        code: "const a = []; for (;;) a.push({ i: a.length, s: 'item ' + a.length });",
        input: null,
        timeoutMs: 20_000,
        memoryLimitBytes: 16 * 1024 * 1024,
      }),
    );
    expect(error.code).toBe("SANDBOX_MEMORY");
    expect(error.message).toMatch(/Code node exceeded its 16 MB memory limit/);
  });

  it("still works after a run that hit a limit", async () => {
    await failure(
      sandbox.run({
        code: "let s = 'x'; for (;;) s += s;",
        input: null,
        memoryLimitBytes: 8 * 1024 * 1024,
      }),
    );
    expect((await sandbox.run({ code: "return input + 1;", input: 41 })).result).toBe(42);
  });

  it("stops runaway recursion at the stack limit without harming the host", async () => {
    const error = await failure(
      sandbox.run({ code: "function f(n) { return f(n + 1) + 1; } return f(0);", input: null }),
    );
    expect(error.code).toBe("SANDBOX_THROWN");
    expect(error.message).toMatch(/stack overflow|call stack/i);
    expect((await sandbox.run({ code: "return 'alive';", input: null })).result).toBe("alive");
  });

  it("reports a thrown non-Error value", async () => {
    const error = await failure(sandbox.run({ code: 'throw { reason: "custom" };', input: null }));
    expect(error.message).toBe('Code threw: {"reason":"custom"}');
  });

  it("rejects a huge result", async () => {
    const small = createSandbox({ maxOutputBytes: 1024, workers: 1 });
    const error = await failure(small.run({ code: 'return "x".repeat(5000);', input: null }));
    expect(error.code).toBe("SANDBOX_OUTPUT");
    expect(error.message).toMatch(/more than 1024 bytes/);
  });

  it("reports a promise that never settles", async () => {
    const error = await failure(sandbox.run({ code: "await new Promise(() => {});", input: null }));
    expect(error.code).toBe("SANDBOX_NEVER_SETTLED");
  });
});

describe("sandbox: non-JSON results", () => {
  it.each([
    ["return () => 1;", /result is a function/],
    ["return { n: 10n };", /result\.n is a bigint/],
    [
      "const a = { b: {} }; a.b.c = a; return a;",
      /result\.b\.c refers back to an enclosing value \(a cycle\)/,
    ],
    ["return [1, Symbol('s')];", /result\[1\] is a symbol/],
    ["return { x: NaN };", /result\.x is NaN/],
  ])("%s fails clearly", async (code, message) => {
    const error = await failure(sandbox.run({ code, input: null }));
    expect(error.message).toMatch(/Code returned a value that is not JSON/);
    expect(error.message).toMatch(message);
  });

  it("keeps shared (non-cyclic) references", async () => {
    const out = await sandbox.run({ code: "const s = { v: 1 }; return [s, s];", input: null });
    expect(out.result).toEqual([{ v: 1 }, { v: 1 }]);
  });
});

describe("sandbox: escapes reach nothing", () => {
  it.each([
    "return this.constructor.constructor('return process')();",
    "return (function () { return this; })().constructor.constructor('return process')();",
    "return Function('return process')();",
    "return (async () => {}).constructor('return process')();",
    "return eval('process');",
    "return require('fs');",
    "return fetch('http://127.0.0.1/');",
  ])("%s finds no host object", async (code) => {
    const error = await failure(sandbox.run({ code, input: null }));
    expect(error.code).toBe("SANDBOX_THROWN");
    expect(error.message).toMatch(/ReferenceError|TypeError/);
  });

  it("exposes only standard globals", async () => {
    const out = await sandbox.run({
      code: `return {
        kinds: [typeof process, typeof require, typeof fetch, typeof module, typeof Buffer, typeof setTimeout, typeof WebAssembly, typeof std, typeof os],
        hostLog: typeof hostLog,
        globalKeys: Object.getOwnPropertyNames(globalThis).filter((k) => /^[a-z]/.test(k)).sort(),
      };`,
      input: null,
    });
    expect(out.result).toEqual({
      kinds: Array.from({ length: 9 }, () => "undefined"),
      hostLog: "undefined",
      globalKeys: [
        "console",
        "decodeURI",
        "decodeURIComponent",
        "encodeURI",
        "encodeURIComponent",
        "escape",
        "eval",
        "globalThis",
        "isFinite",
        "isNaN",
        "parseFloat",
        "parseInt",
        "undefined",
        "unescape",
      ],
    });
  });

  it("prototype pollution inside stays inside and does not reach the next run", async () => {
    await sandbox.run({
      code: "Object.prototype.polluted = 'yes'; Array.prototype.map = null; JSON.stringify = () => '\"hijacked\"'; return {};",
      input: null,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const out = await sandbox.run({
      code: "return [typeof ({}).polluted, typeof [].map, JSON.stringify(1)];",
      input: null,
    });
    expect(out.result).toEqual(["undefined", "function", "1"]);
  });

  it("a hijacked JSON.stringify cannot change what the host receives", async () => {
    const out = await sandbox.run({
      code: "JSON.stringify = () => '{\"evil\":true}'; return { ok: 1 };",
      input: null,
    });
    expect(out.result).toEqual({ ok: 1 });
  });

  it("a __proto__ key in the result does not pollute the host", async () => {
    const out = await sandbox.run({
      code: 'return JSON.parse(\'{"__proto__": {"polluted": "yes"}}\');',
      input: null,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out.result as object)).toEqual(["__proto__"]);
  });
});
