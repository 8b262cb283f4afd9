import { z } from "zod";

import type { JsonValue } from "../context";
import type { JsonObject } from "../ports";
import { defineNode } from "../define";
import { FieldPath, JsonConfigData } from "./shared";

/**
 * Builds an object: starts from the input object (all of it, none of it, or selected fields), removes
 * fields, then assigns each field's value (usually an expression such as `{{ nodes.fetch.body.id }}`).
 * Dot paths (`customer.name`) create nested objects. Every name is an own field, `__proto__` included.
 */
export const setNode = defineNode({
  type: "set",
  version: 1,
  kind: "action",
  pure: true,
  ui: {
    label: "Set fields",
    category: "data",
    icon: "pencil",
    description: "Assign fields from expressions; keep or drop the other fields.",
  },
  config: z.object({
    fields: z
      .array(z.object({ name: FieldPath, value: JsonConfigData }))
      .default([])
      .describe("Fields to assign, in order"),
    keep: z
      .enum(["all", "none", "selected"])
      .default("all")
      .describe("Which input fields pass through"),
    selected: z.array(FieldPath).default([]).describe("Input fields kept when keep = selected"),
    remove: z.array(FieldPath).default([]).describe("Input fields dropped"),
  }),
  inputs: { in: { type: "object", required: false, label: "Input" } },
  outputs: { out: { type: "object", label: "Output" } },
  outputSchemas: (config) => ({
    out: {
      type: "object",
      properties: Object.fromEntries(config.fields.map((field) => [field.name.split(".")[0], {}])),
      additionalProperties: config.keep !== "none",
    },
  }),
  execute({ config, inputs }) {
    const source = inputs.in ?? {};
    let out: JsonObject = {};
    if (config.keep === "all") out = structuredClone(source);
    if (config.keep === "selected") {
      for (const path of config.selected) {
        const value = getPath(source, path);
        if (value !== undefined) setPath(out, path, structuredClone(value));
      }
    }
    for (const path of config.remove) removePath(out, path);
    for (const field of config.fields) setPath(out, field.name, field.value);
    return { kind: "emit", port: "out", value: out };
  },
});

function getPath(object: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const segment of path.split(".")) {
    if (
      current === null ||
      typeof current !== "object" ||
      Array.isArray(current) ||
      !Object.hasOwn(current, segment)
    )
      return undefined;
    current = current[segment];
  }
  return current;
}

function setPath(object: JsonObject, path: string, value: JsonValue): void {
  const segments = path.split(".");
  const last = segments.pop();
  if (last === undefined) return;
  let current = object;
  for (const segment of segments) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (next !== null && typeof next === "object" && !Array.isArray(next)) {
      current = next;
    } else {
      const created: JsonObject = {};
      defineField(current, segment, created);
      current = created;
    }
  }
  defineField(current, last, value);
}

/** Sets an own field; assigning `__proto__` would replace the object's prototype instead. */
function defineField(object: JsonObject, name: string, value: JsonValue): void {
  Object.defineProperty(object, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function removePath(object: JsonObject, path: string): void {
  const segments = path.split(".");
  const last = segments.pop();
  if (last === undefined) return;
  const parent = segments.length === 0 ? object : getPath(object, segments.join("."));
  if (
    parent !== null &&
    typeof parent === "object" &&
    !Array.isArray(parent) &&
    parent !== undefined
  ) {
    Reflect.deleteProperty(parent, last);
  }
}
