import { afterEach, describe, expect, it } from "vitest";

import type { JsonValue } from "@runnel/nodes";

import type { ExpressionContext } from "./index";
import {
  ConfigExpressionError,
  evaluateTemplate,
  ExpressionError,
  findTemplates,
  hasTemplate,
  parseTemplate,
  resolveConfig,
} from "./index";

const context: ExpressionContext = {
  trigger: { customer: { name: "Ada", tier: "gold" }, amount: 40 },
  nodes: {
    fetch: {
      status: 200,
      body: {
        items: [
          { id: 1, price: 2.5 },
          { id: 2, price: 4 },
        ],
        total: 2,
      },
    },
    check: true,
  },
  vars: { currency: "EUR" },
  run: { id: "run_1", flowId: "flow_1" },
};

describe("templates", () => {
  it("yields the raw value when the string is exactly one expression", () => {
    expect(evaluateTemplate("{{ nodes.fetch.body }}", context)).toEqual(
      context.nodes.fetch && {
        items: [
          { id: 1, price: 2.5 },
          { id: 2, price: 4 },
        ],
        total: 2,
      },
    );
    expect(evaluateTemplate("  {{ nodes.fetch.status }} ", context)).toBe(200);
    expect(evaluateTemplate("{{ nodes.fetch.status == 200 }}", context)).toBe(true);
    expect(evaluateTemplate("{{ trigger.amount + 2 }}", context)).toBe(42);
    expect(evaluateTemplate("{{ nodes.fetch.body.items[0].price * 2 }}", context)).toBe(5);
    expect(
      evaluateTemplate("{{ trigger.amount / 16 + nodes.fetch.body.items[0].price }}", context),
    ).toBe(4.5);
    expect(evaluateTemplate("{{ 7 / 2 }}", context)).toBe(3);
    expect(evaluateTemplate("{{ nodes.fetch.body.items.map(i, i.price) }}", context)).toEqual([
      2.5, 4,
    ]);
    expect(
      evaluateTemplate(
        "{{ {'total': size(nodes.fetch.body.items), 'who': trigger.customer.name} }}",
        context,
      ),
    ).toEqual({ total: 2, who: "Ada" });
    expect(evaluateTemplate("{{ null }}", context)).toBeNull();
  });

  it("interpolates mixed text as strings", () => {
    expect(
      evaluateTemplate(
        "Hello {{ trigger.customer.name }}, you owe {{ trigger.amount }} {{ vars.currency }}",
        context,
      ),
    ).toBe("Hello Ada, you owe 40 EUR");
    expect(
      evaluateTemplate("items: {{ nodes.fetch.body.items.map(i, i.id) }} / {{ null }}.", context),
    ).toBe("items: [1,2] / .");
    expect(evaluateTemplate("run {{ run.id }}", context)).toBe("run run_1");
    expect(evaluateTemplate("no template", context)).toBe("no template");
    expect(evaluateTemplate("literal \\{{ braces }}", context)).toBe("literal {{ braces }}");
    expect(evaluateTemplate('{{ "}}" + "{{" }}', context)).toBe("}}{{");
  });

  it("reads optional and missing data the CEL way", () => {
    expect(evaluateTemplate("{{ has(trigger.customer.email) }}", context)).toBe(false);
    expect(
      evaluateTemplate("{{ has(nodes.skipped) ? 1 : 2 }} {{ has(nodes.check) }}", context),
    ).toBe("2 true");
    expect(evaluateTemplate("{{ trigger.customer.?email.orValue('none') }}", context)).toBe("none");
    expect(() => evaluateTemplate("{{ trigger.customer.email }}", context)).toThrow(
      /No such key: email/,
    );
    expect(() => evaluateTemplate("{{ nodes.other.x }}", context)).toThrow(/No such key: other/);
    expect(evaluateTemplate("{{ timestamp('2026-01-01T00:00:00Z') }}", context)).toBe(
      "2026-01-01T00:00:00.000Z",
    );
  });

  it("refuses results that are not JSON", () => {
    expect(() => evaluateTemplate("{{ b'abc' }}", context)).toThrow(
      /bytes value cannot be turned into JSON/,
    );
    expect(() => evaluateTemplate("{{ duration('5m') }}", context)).toThrow(
      /cannot be turned into JSON/,
    );
    expect(() => evaluateTemplate("{{ 1.0 / 0.0 }}", context)).toThrow(/not a JSON number/);
  });

  it("reports syntax problems with the expression", () => {
    expect(() => parseTemplate("{{ nodes.fetch. }}")).toThrow(ExpressionError);
    expect(() => parseTemplate("{{ nodes.fetch")).toThrow(/unclosed \{\{/);
    expect(() => parseTemplate("{{   }}")).toThrow(/empty/);
    expect(() => parseTemplate("{{ 'a' + 1 }}")).toThrow(/no such overload|not defined/i);
    expect(() => parseTemplate("{{ customer.name }}")).toThrow(/unknown variable:? "?customer/i);
    expect(hasTemplate("a {{ b }}")).toBe(true);
    expect(hasTemplate("plain")).toBe(false);
  });

  it("lists what each expression reads, for the compiler", () => {
    const parsed = parseTemplate(
      "{{ nodes.fetch.body.items[0].id }} {{ has(nodes.check.flag) }} {{ nodes['fetch'].status }} {{ trigger.?x.y }}",
    );
    expect(parsed.single).toBe(false);
    expect(parsed.expressions.flatMap((expression) => expression.analysis.references)).toEqual([
      { root: "nodes", path: ["fetch", "body", "items", 0, "id"], partial: false },
      { root: "nodes", path: ["check"], partial: true },
      { root: "nodes", path: ["fetch", "status"], partial: false },
      { root: "trigger", path: ["x"], partial: true },
    ]);
    expect(
      parseTemplate("{{ nodes.fetch.body.items.map(item, item.id + nodes.other.n) }}")
        .expressions[0]?.analysis.references,
    ).toEqual([
      { root: "nodes", path: ["fetch", "body", "items"], partial: false },
      { root: "nodes", path: ["other", "n"], partial: false },
    ]);
    expect(
      parseTemplate("{{ cel.bind(x, nodes.a.v, x + 1) }}").expressions[0]?.analysis.references,
    ).toEqual([{ root: "nodes", path: ["a", "v"], partial: false }]);
    expect(
      parseTemplate("{{ nodes[vars.which].x }}").expressions[0]?.analysis.dynamicNodeAccess,
    ).toBe(true);
    expect(
      parseTemplate("{{ has(nodes.fetch) ? nodes.fetch.status : 0 }}").expressions[0]?.analysis,
    ).toEqual({
      references: [
        { root: "nodes", path: ["fetch"], partial: true },
        { root: "nodes", path: ["fetch", "status"], partial: false },
      ],
      dynamicNodeAccess: false,
    });
    expect(parseTemplate("{{ nodes }}").expressions[0]?.analysis.dynamicNodeAccess).toBe(true);
    expect(parseTemplate("{{ nodes.fetch[vars.key] }}").expressions[0]?.analysis).toEqual({
      references: [
        { root: "nodes", path: ["fetch"], partial: true },
        { root: "vars", path: ["key"], partial: false },
      ],
      dynamicNodeAccess: false,
    });
  });
});

describe("resolveConfig", () => {
  it("evaluates every template string, leaving literal keys and other values alone", () => {
    const config = {
      url: "https://api.example.com/orders/{{ nodes.fetch.body.items[0].id }}",
      retries: 3,
      fields: [{ name: "total", value: "{{ nodes.fetch.body.total * 2 }}" }],
      code: "return {{ not evaluated }}",
      flag: "{{ nodes.check }}",
    };
    expect(resolveConfig(config, context, ["code"])).toEqual({
      url: "https://api.example.com/orders/1",
      retries: 3,
      fields: [{ name: "total", value: 4 }],
      code: "return {{ not evaluated }}",
      flag: true,
    });
  });

  it("names the config path of a failing expression", () => {
    const error = (() => {
      try {
        resolveConfig({ fields: [{ value: "{{ nodes.fetch.nope }}" }] }, context);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigExpressionError);
    expect(error).toMatchObject({ path: ["fields", 0, "value"], expression: "nodes.fetch.nope" });
    expect(String(error)).toMatch(
      /config\.fields\.0\.value: \{\{ nodes\.fetch\.nope \}\}: No such key: nope/,
    );
  });

  it("finds template strings and their paths", () => {
    expect(
      findTemplates({ a: "{{ x }}", b: ["plain", { c: "x {{ y }}" }], code: "{{ z }}" }, ["code"]),
    ).toEqual([
      { path: ["a"], text: "{{ x }}" },
      { path: ["b", 1, "c"], text: "x {{ y }}" },
    ]);
  });
});

describe("expression safety", () => {
  afterEach(() => {
    expect(Reflect.get(Object.prototype, "polluted")).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
    expect(Reflect.get(Array.prototype, "polluted")).toBeUndefined();
  });

  const attacks = [
    "nodes.constructor",
    "nodes.fetch.constructor.constructor('return process')()",
    "trigger.customer.name.constructor",
    "'x'.constructor",
    "nodes['constructor']['constructor']",
    "nodes['con' + 'structor']",
    "trigger.__proto__",
    "trigger['__proto__']['polluted']",
    "nodes.fetch.body.items.__proto__",
    "vars.prototype",
    "Function('return globalThis')()",
    "constructor",
    "this",
    "globalThis",
    "globalThis.process",
    "process.env",
    "process.mainModule.require('child_process')",
    "require('fs')",
    "import('fs')",
    "eval('1')",
    "`constructor`",
    "${'constructor'}",
    "nodes.fetch.toString()",
    "trigger.customer.hasOwnProperty('name')",
    "[].constructor",
    "{}.constructor",
    "dyn(nodes).constructor",
    "nodes.map(k, k).constructor",
  ];

  for (const attack of attacks) {
    it(`refuses ${attack}`, () => {
      expect(() => evaluateTemplate(`{{ ${attack} }}`, context)).toThrow(ExpressionError);
    });
  }

  it("cannot pollute prototypes through map literals or data", () => {
    // cel-js drops __proto__, constructor and prototype keys from map literals
    const out = evaluateTemplate(
      "{{ {'__proto__': {'polluted': true}, 'constructor': {'prototype': {'polluted': true}}, 'a': 1} }}",
      context,
    );
    expect(out).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<
      string,
      number
    >;
    const result = resolveConfig({ v: "{{ trigger }}" }, { ...context, trigger: hostile });
    expect(Object.getPrototypeOf(Reflect.get(result as object, "v"))).toBe(Object.prototype);
    expect(Object.keys(Reflect.get(result as object, "v") as object)).toEqual(["__proto__", "a"]);
  });

  it("gives expressions no path to the host: contexts hold copies, never the engine's objects", () => {
    const data = { list: [1, 2] };
    const out = evaluateTemplate("{{ trigger.list }}", { ...context, trigger: data });
    expect(out).toEqual([1, 2]);
    expect(out).not.toBe(data.list);
  });

  it("allows only literal, linear-looking patterns in matches()", () => {
    expect(evaluateTemplate("{{ trigger.customer.name.matches('^A[a-z]+$') }}", context)).toBe(
      true,
    );
    expect(
      evaluateTemplate("{{ trigger.customer.tier.matches('^(?:go)+(?<rest>ld)?$') }}", context),
    ).toBe(true);
    expect(() => parseTemplate("{{ trigger.customer.name.matches(vars.currency) }}")).toThrow(
      /string literal/,
    );
    for (const pattern of [
      "(a+)+$",
      "(a*)*b",
      "(x+x+)+y",
      "(\\\\w+\\\\s?)*$",
      "(?:ab+)+c",
      "(a{1,3}){5}",
    ]) {
      expect(
        () => parseTemplate(`{{ trigger.customer.name.matches('${pattern}') }}`),
        pattern,
      ).toThrow(/exponential time/);
    }
  });

  it("bounds expression size and nesting", () => {
    expect(() => parseTemplate(`{{ ${"1 + ".repeat(2_000)}1 }}`)).toThrow(ExpressionError);
    expect(() =>
      parseTemplate("{{ trigger.l.map(a, trigger.l.map(b, trigger.l.map(c, c))) }}"),
    ).toThrow(/nested at most 2 deep/);
  });
});

describe("work budget", () => {
  const items = (length: number): JsonValue[] =>
    Array.from({ length }, (_, i) => ({ price: i % 50 }));
  const withList = (length: number): ExpressionContext => ({
    ...context,
    trigger: { items: items(length) },
  });
  const nested =
    "{{ trigger.items.map(a, trigger.items.filter(b, b.price > a.price).size()).size() }}";

  it("stops nested macros over big lists fast, naming the macro and the limit", () => {
    for (const length of [1_000, 10_000]) {
      const data = withList(length);
      const started = performance.now();
      expect(() => evaluateTemplate(nested, data)).toThrow(
        /work budget of 100,000 elements per evaluation \(at "trigger\.items\.filter\(b, b\.price > a\.price\)"\)/,
      );
      // Unbounded, 10 000 × 10 000 took tens of seconds; the budget allows ~100 000 element visits.
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it("names the config field when a node's config exceeds it", () => {
    const error = (() => {
      try {
        resolveConfig({ body: { count: nested } }, withList(1_000));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigExpressionError);
    expect(String((error as Error).message)).toMatch(/^config\.body\.count: .*work budget/);
  });

  it("still fails when a quantifier swallows the error", () => {
    expect(() =>
      evaluateTemplate(
        "{{ [1, 2].exists(x, x == 1 ? trigger.items.exists(i, i.price > 100) : true) }}",
        withList(100_001),
      ),
    ).toThrow(/work budget/);
  });

  it("charges `in` over a list and caps what + builds", () => {
    const data = withList(60_000);
    expect(evaluateTemplate("{{ 1 in trigger.items }}", data)).toBe(false);
    expect(() => evaluateTemplate("{{ [1, 2].all(x, !(x in trigger.items)) }}", data)).toThrow(
      /work budget/,
    );
    expect(() => evaluateTemplate("{{ trigger.items + trigger.items }}", data)).toThrow(
      /built a list of 120000 elements .*at most 100,000 elements/,
    );
    const doubling = `{{ ${Array.from(
      { length: 25 },
      (_, i) => `cel.bind(s${i + 1}, s${i} + s${i}, `,
    )
      .join("")
      .replace("s0 + s0", "'ab' + 'ab'")}s25${")".repeat(25)}.size() }}`;
    expect(() => evaluateTemplate(doubling, context)).toThrow(/built a string of .* characters/);
  });

  it("leaves work within the budget alone", () => {
    expect(
      evaluateTemplate(
        "{{ trigger.items.filter(a, a.price < 4).map(a, trigger.items.filter(b, b.price > a.price).size()).size() }}",
        withList(1_000),
      ),
    ).toBe(80);
    expect(
      evaluateTemplate("{{ trigger.items.filter(i, i.price == 0).size() }}", withList(100_000)),
    ).toBe(2_000);
  });
});

describe("data is data: constructor, __proto__ and prototype keys are ordinary fields", () => {
  afterEach(() => {
    expect(Reflect.get(Object.prototype, "polluted")).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
  });

  const body = JSON.parse(
    `{"constructor": "x", "__proto__": {"polluted": true}, "prototype": {"a": 1},
      "nested": {"constructor": {"prototype": "deep"}},
      "items": [{"constructor": "a", "n": 1}, {"constructor": "b", "n": 2}]}`,
  ) as JsonValue;
  const data: ExpressionContext = {
    trigger: { body },
    nodes: { constructor: { prototype: "from a node named constructor" }, fetch: body },
    vars: { constructor: "a variable", prototype: "another" },
    run: { id: "run_1" },
  };
  const value = (template: string) => evaluateTemplate(template, data);

  it("reads them with field and index access, at any depth and from any root", () => {
    expect(value("{{ trigger.body.constructor }}")).toBe("x");
    expect(value("{{ trigger.body['constructor'] }}")).toBe("x");
    expect(value("{{ trigger.body['__proto__'].polluted }}")).toBe(true);
    expect(value("{{ trigger.body.prototype.a }}")).toBe(1);
    expect(value("{{ trigger.body.nested.constructor.prototype }}")).toBe("deep");
    expect(value("{{ nodes.fetch.items[1].constructor }}")).toBe("b");
    expect(value("{{ nodes.constructor.prototype }}")).toBe("from a node named constructor");
    expect(value("{{ nodes['constructor'].prototype }}")).toBe("from a node named constructor");
    expect(value("{{ vars.constructor + ' and ' + vars.prototype }}")).toBe(
      "a variable and another",
    );
    expect(value("{{ trigger.body.?constructor.orValue('none') }}")).toBe("x");
    expect(value("{{ trigger.body.nested.?prototype.orValue('none') }}")).toBe("none");
  });

  it("answers has(), in, size() and the macros like any other key", () => {
    expect(value("{{ has(trigger.body.constructor) }}")).toBe(true);
    expect(value("{{ has(trigger.body.nested.prototype) }}")).toBe(false);
    expect(value("{{ has(nodes.constructor) }}")).toBe(true);
    expect(value("{{ '__proto__' in trigger.body }}")).toBe(true);
    expect(value("{{ 'toString' in trigger.body }}")).toBe(false);
    expect(value("{{ size(trigger.body) }}")).toBe(5);
    expect(value("{{ trigger.body.items.map(i, i.constructor) }}")).toEqual(["a", "b"]);
    expect(value("{{ trigger.body.items.filter(i, i.constructor == 'b') }}")).toEqual([
      { constructor: "b", n: 2 },
    ]);
    expect(value("{{ trigger.body.items.exists(i, i.constructor == 'a') }}")).toBe(true);
    expect(value("{{ trigger.body.map(k, k) }}")).toEqual([
      "constructor",
      "__proto__",
      "prototype",
      "nested",
      "items",
    ]);
    expect(value("{{ trigger.body.nested == trigger.body.nested }}")).toBe(true);
  });

  it("returns objects holding them as plain JSON with those keys as own fields", () => {
    const out = value("{{ trigger.body }}") as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["constructor", "__proto__", "prototype", "nested", "items"]);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(JSON.stringify(out)).toBe(JSON.stringify(body));
    expect(value("{{ trigger.body.items[0] }}")).toEqual({ constructor: "a", n: 1 });
    expect(value("body: {{ trigger.body.nested }}")).toBe(
      'body: {"constructor":{"prototype":"deep"}}',
    );
    expect(resolveConfig({ pick: "{{ trigger.body.__proto__ }}" }, data)).toEqual({
      pick: { polluted: true },
    });
  });
});
