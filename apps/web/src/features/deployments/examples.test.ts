import { describe, expect, it } from "vitest";

import { curlExample, openapiFetchExample, runnelClientExample } from "./examples";

const target = {
  url: "https://runnel.example.com/api/v1/flows/greet/runs",
  baseUrl: "https://runnel.example.com",
  path: "/api/v1/flows/greet/runs",
  flowId: "flw_1",
  versionNumber: 3,
  body: { name: "O'Brien" },
};

describe("code examples", () => {
  it("quotes the curl body for the shell", () => {
    expect(curlExample(target)).toBe(
      [
        "curl -X POST 'https://runnel.example.com/api/v1/flows/greet/runs?wait=30' \\",
        '  -H "Authorization: Bearer $RUNNEL_API_KEY" \\',
        '  -H "Content-Type: application/json" \\',
        `  -d '{"name":"O'\\''Brien"}'`,
      ].join("\n"),
    );
  });

  it("calls the typed path with openapi-fetch and pins the version with @runnel/client", () => {
    expect(openapiFetchExample(target)).toContain('runnel.POST("/api/v1/flows/greet/runs", {');
    expect(openapiFetchExample(target)).toContain('"name": "O\'Brien"');
    expect(runnelClientExample(target)).toContain('flowId: "flw_1",\n  version: 3,');
  });
});
