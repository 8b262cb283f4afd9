import { describe, expect, it } from "vitest";

import { runPure } from "../test-context";
import { agentNode } from "./agent";

const base = { credential: "cred_1", model: "gpt-4.1-mini", message: "Hi" };
const http = (name: string) => ({ kind: "http", name, url: "https://api.example.com/{id}" });

describe("agent node (the loop itself is tested in @runnel/runtime against fake providers)", () => {
  it("shapes an agent directive with defaults", async () => {
    const directive = await runPure(agentNode, {
      ...base,
      tools: [{ kind: "flow", name: "double", flowId: "flow_1" }, http("lookup")],
    });
    expect(directive).toEqual({
      kind: "agent",
      request: {
        credentialId: "cred_1",
        model: "gpt-4.1-mini",
        message: "Hi",
        tools: [
          { kind: "flow", name: "double", flowId: "flow_1", requireApproval: false },
          {
            kind: "http",
            name: "lookup",
            url: "https://api.example.com/{id}",
            method: "GET",
            headers: {},
            parameters: { type: "object" },
            maxResultChars: 20_000,
            timeoutMs: 30_000,
            requireApproval: false,
          },
        ],
        maxSteps: 10,
        toolChoice: "auto",
        output: { type: "text" },
        approval: { assignees: [], timeoutMs: 86_400_000 },
      },
    });
  });

  it.each([
    [
      { ...base, tools: [http("a"), http("a")] },
      /config\.tools\.1\.name: tool name "a" is already used/,
    ],
    [{ ...base, tools: [http("has space")] }, /config\.tools\.0\.name: letters, digits/],
    [{ ...base, tools: [http("x".repeat(65))] }, /config\.tools\.0\.name/],
    [{ ...base, tools: [{ kind: "shell", name: "m" }] }, /config\.tools\.0\.kind/],
    [{ ...base, maxSteps: 51 }, /config\.maxSteps/],
    [{ ...base, output: "structured" }, /config\.schema: output "structured" needs a JSON Schema/],
    [
      {
        ...base,
        tools: [{ kind: "code", name: "c", code: "return 1", parameters: { type: "string" } }],
      },
      /config\.tools\.0\.parameters: tool parameters must describe an object/,
    ],
  ])("rejects %j", async (config, message) => {
    await expect(runPure(agentNode, config)).rejects.toThrow(message);
  });

  it("names the flows its flow tools use, for the compiler", () => {
    expect(
      agentNode.flowReferences({
        ...base,
        tools: [http("h"), { kind: "flow", name: "f", flowId: "flow_9" }],
      }),
    ).toEqual([{ path: ["tools", 1, "flowId"], flowId: "flow_9" }]);
  });

  it("keeps {{ }} in tool definitions literal", () => {
    expect(agentNode.literalConfig).toEqual(["tools"]);
  });
});
