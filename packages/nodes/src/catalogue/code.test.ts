import { describe, expect, it } from "vitest";

import { runPure } from "../test-context";
import { codeNode } from "./code";

describe("code node (static checks; execution is tested in @runnel/engine with the real sandbox)", () => {
  it("keeps the code literal (no {{ }} evaluation inside it)", () => {
    expect(codeNode.literalConfig).toEqual(["code"]);
  });

  it("fills limits and bounds them", async () => {
    expect(codeNode.config.parse({ code: "return 1;" })).toEqual({
      code: "return 1;",
      timeoutMs: 1_000,
      memoryMb: 64,
    });
    await expect(runPure(codeNode, { code: "return 1;", timeoutMs: 60_000 })).rejects.toThrow(
      /config\.timeoutMs/,
    );
    await expect(runPure(codeNode, { code: "return 1;", memoryMb: 1024 })).rejects.toThrow(
      /config\.memoryMb/,
    );
    await expect(runPure(codeNode, { code: "" })).rejects.toThrow(/config\.code/);
  });

  it("runs code only through ctx.sandbox", async () => {
    await expect(runPure(codeNode, { code: "return 1;" })).rejects.toThrow(
      /sandbox is not available to a pure node/,
    );
  });
});
