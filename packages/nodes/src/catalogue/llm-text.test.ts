import { describe, expect, it } from "vitest";

import { runPure } from "../test-context";
import { llmTextNode } from "./llm-text";

describe("llm_text node (static checks; calls are tested in @runnel/engine against fake provider servers)", () => {
  it("takes a credential of any model provider", () => {
    expect(llmTextNode.credentials).toEqual([
      {
        key: "credential",
        type: ["openai", "openaiCompatible", "anthropic", "gemini"],
        required: true,
      },
    ]);
  });

  it.each([
    [{ model: "m", prompt: "p" }, /config\.credential/],
    [{ credential: "c", prompt: "p" }, /config\.model/],
    [{ credential: "c", model: "m", prompt: "" }, /config\.prompt/],
    [{ credential: "c", model: "m", prompt: "p", temperature: 3 }, /config\.temperature/],
  ])("rejects %j", async (config, message) => {
    await expect(runPure(llmTextNode, config)).rejects.toThrow(message);
  });

  it("calls models only through ctx.ai", async () => {
    await expect(
      runPure(llmTextNode, { credential: "c", model: "m", prompt: "p" }),
    ).rejects.toThrow(/ai is not available to a pure node/);
  });
});
