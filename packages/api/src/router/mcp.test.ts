import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { McpTestServer } from "@runnel/engine/testing";
import { createHttpService } from "@runnel/engine/services";
import { startMcpTestServer } from "@runnel/engine/testing";

import type { Harness } from "../../test/harness";
import { createHarness, failure } from "../../test/harness";

const TOKEN = "mcp-SECRET-token-123";
const http = createHttpService({ allow: ["127.0.0.1"] });
let t: Harness;
let server: McpTestServer;

beforeAll(async () => {
  t = await createHarness({ http });
  server = await startMcpTestServer({ requireHeaders: { authorization: `Bearer ${TOKEN}` } });
}, 60_000);
afterAll(async () => {
  await server.close();
  await http.close();
  await t.close();
});

describe("mcp.tools: the editor's listing of an MCP server's tools", () => {
  it("lists name, description and input schema with an mcp credential", async () => {
    const ada = await t.user("Ada");
    const credential = await ada.caller.credentials.create({
      type: "mcp",
      name: "Tools",
      data: { bearerToken: TOKEN },
    });
    const { tools } = await ada.caller.mcp.tools({
      url: `${server.url}/mcp`,
      credentialId: credential.id,
    });
    expect(tools.find((tool) => tool.name === "echo")).toEqual({
      name: "echo",
      description: "Returns its arguments",
      inputSchema: expect.objectContaining({
        type: "object",
        properties: { message: { type: "string" } },
      }) as unknown,
    });
  });

  it("answers a server's refusal as BAD_REQUEST naming the server, without the token", async () => {
    const ada = await t.user("Ada");
    const wrong = await ada.caller.credentials.create({
      type: "mcp",
      name: "Wrong",
      data: { headers: JSON.stringify({ Authorization: "Bearer not-it" }) },
    });
    const error = await failure(
      ada.caller.mcp.tools({ url: `${server.url}/mcp`, credentialId: wrong.id }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain(`MCP server ${server.url}/mcp`);
    expect(error.message).toContain("HTTP 401");
    expect(error.message).not.toContain("not-it");
  });

  it("treats another org's credential as missing and refuses a credential of another type", async () => {
    const ada = await t.user("Ada");
    const bob = await t.user("Bob");
    const bobs = await bob.caller.credentials.create({
      type: "mcp",
      name: "Bob's",
      data: { bearerToken: TOKEN },
    });
    const foreign = await failure(
      ada.caller.mcp.tools({ url: `${server.url}/mcp`, credentialId: bobs.id }),
    );
    expect(foreign.code).toBe("NOT_FOUND");
    const basic = await ada.caller.credentials.create({
      type: "httpBasic",
      name: "Basic",
      data: { username: "u", password: "p" },
    });
    const wrongType = await failure(
      ada.caller.mcp.tools({ url: `${server.url}/mcp`, credentialId: basic.id }),
    );
    expect(wrongType.code).toBe("BAD_REQUEST");
    expect(wrongType.message).toMatch(/"mcp" or "httpBearer" or "httpHeader"/);
  });

  it("refuses a stdio configuration as a field error", async () => {
    const ada = await t.user("Ada");
    const stdio: Record<string, unknown> = { url: `${server.url}/mcp`, command: "npx" };
    const error = await failure(ada.caller.mcp.tools(stdio as { url: string }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.fieldErrors?.command?.[0]).toMatch(/stdio MCP servers are not supported/);
  });

  it("validates the headers of an mcp credential when it is saved", async () => {
    const ada = await t.user("Ada");
    const error = await failure(
      ada.caller.credentials.create({ type: "mcp", name: "Bad", data: { headers: "[1,2]" } }),
    );
    expect(error.fieldErrors?.["data.headers"]?.[0]).toMatch(/JSON object/);
    const empty = await failure(
      ada.caller.credentials.create({ type: "mcp", name: "Empty", data: {} }),
    );
    expect(empty.fieldErrors?.data?.[0]).toMatch(/bearer token, headers, or both/);
  });
});
