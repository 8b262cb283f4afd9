import { describe, expect, it } from "vitest";
import { z } from "zod";

import type { FieldUi } from "./define";
import { FIELD_OPTION_SOURCES, NODE_CATEGORIES } from "./define";
import { catalogue, catalogueEntries, createCatalogue, getNode, nodeRegistry } from "./registry";

describe("node registry", () => {
  it("has unique type + version pairs", () => {
    const keys = nodeRegistry.map((node) => `${node.type}@${node.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(() => createCatalogue([...nodeRegistry, ...nodeRegistry.slice(0, 1)])).toThrow(
      /registered twice/,
    );
  });

  it("converts every config schema and every port schema to JSON Schema", () => {
    for (const node of nodeRegistry) {
      const schema = z.toJSONSchema(node.config, { io: "input" });
      expect(schema, node.type).toMatchObject({
        $schema: expect.stringContaining("json-schema.org") as unknown,
      });
      for (const port of [...Object.values(node.inputs), ...Object.values(node.outputs)]) {
        const schema = port.schema;
        if (schema !== undefined)
          expect(() => z.toJSONSchema(schema, { io: "output" })).not.toThrow();
      }
    }
  });

  it("gives every node ui metadata the palette can show", () => {
    for (const node of nodeRegistry) {
      expect(node.ui.label.length, node.type).toBeGreaterThan(0);
      expect(node.ui.description.length, node.type).toBeGreaterThan(10);
      expect(node.ui.icon, node.type).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(NODE_CATEGORIES, node.type).toContain(node.ui.category);
      expect(Object.keys(node.outputs).length, node.type).toBeGreaterThan(0);
    }
  });

  it("names the trigger type of every trigger and of nothing else", () => {
    for (const node of nodeRegistry) {
      expect(node.kind === "trigger", node.type).toBe(node.trigger !== undefined);
      if (node.kind === "trigger") {
        expect(Object.keys(node.inputs), node.type).toEqual([]);
        expect(node.ui.category).toBe("trigger");
      }
    }
    expect(
      nodeRegistry
        .filter((node) => node.kind === "trigger")
        .map((node) => node.trigger)
        .sort(),
    ).toEqual(["api", "manual", "schedule", "webhook"]);
  });

  it("gives form hints that name a known option source and a credential slot of the node", () => {
    const hinted: string[] = [];
    for (const entry of catalogueEntries()) {
      const properties = (entry.configSchema.properties ?? {}) as Record<string, { ui?: FieldUi }>;
      for (const [key, property] of Object.entries(properties)) {
        const ui = property.ui;
        if (ui === undefined) continue;
        hinted.push(`${entry.type}.${key}`);
        if (ui.options !== undefined) expect(FIELD_OPTION_SOURCES).toContain(ui.options);
        if (ui.dependsOn !== undefined)
          expect(
            entry.credentials.map((slot) => slot.key),
            `${entry.type}.${key}`,
          ).toContain(ui.dependsOn);
      }
    }
    expect(hinted).toEqual(expect.arrayContaining(["llm_text.model", "llm_structured.model"]));
  });

  it("lists a JSON catalogue for the editor", () => {
    const entries = catalogueEntries();
    expect(entries).toHaveLength(nodeRegistry.length);
    const roundTripped: unknown = JSON.parse(JSON.stringify(entries));
    expect(roundTripped).toEqual(entries);
    expect(entries.filter((entry) => entry.dynamicOutputs).map((entry) => entry.type)).toEqual([
      "switch",
    ]);
    const merge = entries.find((entry) => entry.type === "merge");
    expect(merge?.inputs.in).toEqual({
      type: "any",
      label: "Inputs",
      required: false,
      multiple: true,
    });
    const webhook = entries.find((entry) => entry.type === "webhook_trigger");
    expect(webhook?.credentials).toEqual([
      { key: "signatureCredentialId", type: "webhookSecret", required: false },
    ]);
    expect(webhook?.outputs.out?.schema).toMatchObject({
      type: "object",
      required: ["method", "headers", "query", "body"],
    });
  });

  it("marks as pure exactly the nodes that reach nothing outside", () => {
    const pure = nodeRegistry
      .filter((node) => node.pure)
      .map((node) => node.type)
      .sort();
    expect(pure).toEqual([
      "api_trigger",
      "approval",
      "if",
      "loop",
      "manual_trigger",
      "merge",
      "respond",
      "schedule_trigger",
      "set",
      "sub_flow",
      "switch",
      "wait",
      "webhook_trigger",
    ]);
  });

  it("looks nodes up by type and version", () => {
    expect(getNode("if", 1)?.type).toBe("if");
    expect(getNode("if", 2)).toBeUndefined();
    expect(getNode("nope", 1)).toBeUndefined();
    expect(catalogue.versions("set")).toEqual([1]);
  });
});
