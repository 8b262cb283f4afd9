import { describe, expect, it } from "vitest";

import { listableMcpServer, modelToolName, withPickedMcpTool } from "./mcp-tools";

describe("listableMcpServer", () => {
  it("passes the url, transport and credential of a filled server", () => {
    expect(
      listableMcpServer({
        url: " https://mcp.example.com/mcp ",
        transport: "sse",
        credentialId: "cred_1",
      }),
    ).toEqual({
      server: { url: "https://mcp.example.com/mcp", transport: "sse", credentialId: "cred_1" },
    });
    expect(listableMcpServer({ url: "http://127.0.0.1:3001/mcp", credentialId: "" })).toEqual({
      server: { url: "http://127.0.0.1:3001/mcp" },
    });
  });

  it("says why a server cannot be listed yet", () => {
    expect(listableMcpServer(undefined)).toEqual({
      reason: "Enter the server URL to list its tools, or type a tool name.",
    });
    expect(listableMcpServer({ url: "" })).toEqual({
      reason: "Enter the server URL to list its tools, or type a tool name.",
    });
    expect(listableMcpServer({ url: "{{ $vars.mcpUrl }}" })).toEqual({
      reason: "The server URL is an expression; type the tool name.",
    });
    expect(listableMcpServer({ url: "mcp.example.com" })).toEqual({
      reason: "The server URL must be an http(s) URL.",
    });
  });
});

describe("modelToolName", () => {
  it("keeps a name the providers accept and makes others safe", () => {
    expect(modelToolName("get_weather")).toBe("get_weather");
    expect(modelToolName("files.read")).toBe("files_read");
    expect(modelToolName("x".repeat(80))).toHaveLength(64);
    expect(modelToolName("...")).toBe("mcp_tool");
  });
});

describe("withPickedMcpTool", () => {
  const base = { kind: "mcp", server: { url: "https://mcp.example.com/mcp" }, timeoutMs: 60_000 };

  it("sets tool and fills an empty name", () => {
    expect(withPickedMcpTool({ ...base, name: "" }, "files.read")).toEqual({
      ...base,
      tool: "files.read",
      name: "files_read",
    });
    expect(withPickedMcpTool(base, "add")).toEqual({ ...base, tool: "add", name: "add" });
  });

  it("keeps a name the user gave", () => {
    expect(withPickedMcpTool({ ...base, name: "sum", tool: "old" }, "add")).toEqual({
      ...base,
      name: "sum",
      tool: "add",
    });
  });
});
