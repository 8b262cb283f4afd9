import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";

import type { Emit } from "./define";
import type { JsonObject, OutputPorts } from "./ports";
import { defineNode, NodeRunError } from "./define";
import { runPure } from "./test-context";

const ui = {
  label: "Test",
  category: "data",
  icon: "flask",
  description: "A node made in a test.",
} as const;

const greet = defineNode({
  type: "greet",
  version: 1,
  kind: "action",
  ui,
  config: z.object({ greeting: z.string().default("Hello"), loud: z.boolean().default(false) }),
  inputs: {
    person: { type: "object", schema: z.object({ name: z.string() }) },
    suffix: { type: "string", required: false },
  },
  outputs: { out: { type: "string" }, empty: { type: "object" } },
  execute({ config, inputs }) {
    const name: string = inputs.person.name;
    const suffix: string | undefined = inputs.suffix;
    if (name === "") return { kind: "emit", port: "empty", value: {} };
    const text = `${config.greeting}, ${name}${suffix ?? ""}`;
    return { kind: "emit", port: "out", value: config.loud ? text.toUpperCase() : text };
  },
});

describe("defineNode", () => {
  it("runs execute with parsed config and typed inputs", async () => {
    await expect(runPure(greet, {}, { person: { name: "Ada" } })).resolves.toEqual({
      kind: "emit",
      port: "out",
      value: "Hello, Ada",
    });
    await expect(
      runPure(greet, { loud: true }, { person: { name: "Ada" }, suffix: "!" }),
    ).resolves.toEqual({
      kind: "emit",
      port: "out",
      value: "HELLO, ADA!",
    });
    await expect(runPure(greet, {}, { person: { name: "" } })).resolves.toEqual({
      kind: "emit",
      port: "empty",
      value: {},
    });
  });

  it("keeps execute typed: config from zod, inputs and results from the ports", () => {
    type Args = Parameters<typeof greet.execute>[0];
    expectTypeOf<Args["config"]>().toEqualTypeOf<{ greeting: string; loud: boolean }>();
    expectTypeOf<Args["inputs"]["person"]>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<Args["inputs"]["suffix"]>().toEqualTypeOf<string | undefined>();
    type Result = Awaited<ReturnType<typeof greet.execute>>;
    expectTypeOf<Result>().toEqualTypeOf<Emit<"out", string> | Emit<"empty", JsonObject>>();
    expectTypeOf<{ kind: "emit"; port: "other"; value: string }>().not.toExtend<Result>();
    expectTypeOf<{ kind: "emit"; port: "out"; value: number }>().not.toExtend<Result>();
    expect(greet.inputs.person.type).toBe("object");
  });

  it("rejects bad config, inputs and results with the path of the problem", async () => {
    await expect(runPure(greet, { loud: "yes" }, { person: { name: "Ada" } })).rejects.toThrow(
      /greet: config\.loud: /,
    );
    await expect(runPure(greet, {}, {})).rejects.toThrow(
      /inputs\.person: required input has no value/,
    );
    await expect(runPure(greet, {}, { person: "Ada" })).rejects.toThrow(
      /inputs\.person: expected object, got string/,
    );
    await expect(runPure(greet, {}, { person: { name: 3 } })).rejects.toThrow(
      /inputs\.person\.name: /,
    );
    await expect(runPure(greet, {}, { person: { name: "Ada" }, extra: 1 })).rejects.toThrow(
      /inputs\.extra: no such input port/,
    );
    const error = await runPure(greet, { loud: 1 }, { person: { name: "Ada" } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NodeRunError);
    expect(error).toMatchObject({ nodeType: "greet", path: ["config", "loud"] });
  });

  it("refuses results on undeclared ports and values that are not JSON or not the port's type", async () => {
    const liar = defineNode({
      type: "liar",
      version: 1,
      kind: "action",
      ui,
      config: z.object({ mode: z.enum(["nan", "type"]) }),
      inputs: {},
      outputs: { out: { type: "number" } },
      execute: ({ config }) => ({
        kind: "emit",
        port: "out",
        value: config.mode === "nan" ? Number.NaN : 1,
      }),
    });
    await expect(runPure(liar, { mode: "nan" })).rejects.toThrow(
      /result\.out: expected number, got non-JSON/,
    );
    const routes: OutputPorts = { fallback: { type: "any" } };
    const router = defineNode({
      type: "router",
      version: 1,
      kind: "action",
      ui,
      config: z.object({ routes: z.array(z.string()), pick: z.string() }),
      inputs: {},
      outputs: routes,
      dynamicOutputs: (raw) => {
        const parsed = z.object({ routes: z.array(z.string()) }).safeParse(raw);
        return parsed.success
          ? Object.fromEntries(parsed.data.routes.map((name) => [name, { type: "any" as const }]))
          : {};
      },
      execute: ({ config }) => ({ kind: "emit", port: config.pick, value: config.pick }),
    });
    expect(Object.keys(router.outputPorts({ routes: ["a", "b"] })).sort()).toEqual([
      "a",
      "b",
      "fallback",
    ]);
    await expect(runPure(router, { routes: ["a"], pick: "a" })).resolves.toEqual({
      kind: "emit",
      port: "a",
      value: "a",
    });
    await expect(runPure(router, { routes: ["a"], pick: "fallback" })).resolves.toMatchObject({
      port: "fallback",
    });
    await expect(runPure(router, { routes: ["a"], pick: "b" })).rejects.toThrow(
      /fired unknown output port "b"/,
    );
  });

  it("collects multiple inputs keyed by source node and validates each", async () => {
    const join = defineNode({
      type: "join",
      version: 1,
      kind: "action",
      ui,
      config: z.object({}),
      inputs: { in: { type: "number", multiple: true } },
      outputs: { out: { type: "number" } },
      execute: ({ inputs }) => ({
        kind: "emit",
        port: "out",
        value: Object.values(inputs.in ?? {}).reduce((sum, value) => sum + value, 0),
      }),
    });
    await expect(runPure(join, {}, { in: { a: 1, b: 2 } })).resolves.toMatchObject({ value: 3 });
    await expect(runPure(join, {}, {})).resolves.toMatchObject({ value: 0 });
    await expect(runPure(join, {}, { in: { a: "1" } })).rejects.toThrow(
      /inputs\.in\.a: expected number/,
    );
    await expect(runPure(join, {}, { in: [1] })).rejects.toThrow(/keyed by source node id/);
  });

  it("refuses malformed definitions", () => {
    const base = {
      version: 1,
      kind: "action",
      ui,
      config: z.object({}),
      inputs: {},
      execute: () => ({ kind: "emit" as const, port: "out" as const, value: 1 }),
    } as const;
    expect(() =>
      defineNode({ ...base, type: "Bad-Type", outputs: { out: { type: "number" } } }),
    ).toThrow(/must match/);
    expect(() =>
      defineNode({ ...base, type: "ok", version: 0, outputs: { out: { type: "number" } } }),
    ).toThrow(/positive integer/);
    expect(() =>
      defineNode({
        ...base,
        type: "ok",
        outputs: { out: { type: "number" }, error: { type: "any" } },
      }),
    ).toThrow(/reserved/);
    expect(() =>
      defineNode({
        ...base,
        type: "ok",
        outputs: { out: { type: "number" }, "Bad-Port": { type: "any" } },
      }),
    ).toThrow(/port name "Bad-Port"/);
  });
});
