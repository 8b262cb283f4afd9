import { describe, expect, it } from "vitest";

import { runPure } from "../test-context";
import { llmStructuredNode } from "./llm-structured";

const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

describe("llm_structured node (static checks; calls are tested in @runnel/engine against a fake OpenAI server)", () => {
  it("requires an object schema", async () => {
    await expect(
      runPure(llmStructuredNode, {
        credential: "c",
        model: "m",
        prompt: "p",
        schema: { type: "string" },
      }),
    ).rejects.toThrow(/config\.schema: the output schema must describe an object/);
  });

  it("describes its output with the configured schema, for expression checks", () => {
    const out = llmStructuredNode.outputSchemas({
      credential: "c",
      model: "m",
      prompt: "p",
      schema,
    }).out;
    expect(out).toMatchObject({
      type: "object",
      properties: { object: schema },
      required: ["object", "usage"],
    });
  });

  it("calls models only through ctx.ai", async () => {
    await expect(
      runPure(llmStructuredNode, { credential: "c", model: "m", prompt: "p", schema }),
    ).rejects.toThrow(/ai is not available to a pure node/);
  });
});
