import { describe, expect, it } from "vitest";

import { catalogueEntries } from "@runnel/nodes";

import { configModel } from "./field-model";
import { assignProblems, fieldKeys, nodeRelativePath } from "./problems";

const http = catalogueEntries().find((e) => e.type === "http_request");
if (!http) throw new Error("http_request is in the catalogue");
const model = configModel(http.configSchema, { credentials: http.credentials });

describe("fieldKeys", () => {
  it("lists the fields of the chosen union variant and of each list item", () => {
    const keys = fieldKeys(model, { body: { type: "text", text: "x" } }, ["config"]);
    expect(keys).toContain("config.url");
    expect(keys).toContain("config.body");
    expect(keys).toContain("config.body.type");
    expect(keys).toContain("config.body.text");
    expect(keys).not.toContain("config.body.fields");
  });
});

describe("assignProblems", () => {
  it("puts a problem under the deepest field whose path is its prefix; the rest are general", () => {
    const keys = [
      ...fieldKeys(model, { body: { type: "form", fields: {} } }, ["config"]),
      "name",
      "settings.retries",
    ];
    const { byField, general } = assignProblems(
      [
        { path: "nodes.2.config.url", message: "an absolute http(s) URL" },
        { path: "config.headers.bad name", message: "not a valid HTTP header name" },
        { path: "config.body", message: "a GET request cannot have a body" },
        { path: "settings.retries", message: "too many" },
        { path: "", message: "unreachable from a trigger" },
        { path: "inputs.in", message: "required input is not connected" },
      ],
      keys,
    );
    expect(byField.get("config.url")).toEqual(["an absolute http(s) URL"]);
    expect(byField.get("config.headers")).toEqual(["bad name: not a valid HTTP header name"]);
    expect(byField.get("config.body")).toEqual(["a GET request cannot have a body"]);
    expect(byField.get("settings.retries")).toEqual(["too many"]);
    expect(general).toEqual([
      "unreachable from a trigger",
      "inputs.in: required input is not connected",
    ]);
  });

  it("strips the node index of flow-level paths", () => {
    expect(nodeRelativePath("nodes.12.config.url")).toBe("config.url");
    expect(nodeRelativePath("nodes.3")).toBe("");
    expect(nodeRelativePath("config.url")).toBe("config.url");
  });
});
