import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";

import { withLogContext } from "./log-context";
import { createLogger } from "./logger";
import { REDACTED } from "./redact";
import { logRequestError } from "./request-error";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe("createLogger", () => {
  it("writes one JSON object per line with the level name, an ISO time and the ids of the context", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination, level: "debug" });
    withLogContext({ requestId: "req-1", orgId: "org_1" }, () => {
      withLogContext({ runId: "run_1", nodeId: "http" }, () =>
        logger.warn({ attempt: 2 }, "node failed"),
      );
      logger.debug("outside the run");
    });
    logger.info("no context");
    expect(lines[0]).toMatchObject({
      level: "warn",
      msg: "node failed",
      attempt: 2,
      requestId: "req-1",
      orgId: "org_1",
      runId: "run_1",
      nodeId: "http",
      pid: process.pid,
    });
    expect(new Date(String(lines[0]?.time)).toISOString()).toBe(lines[0]?.time);
    expect(lines[1]).toMatchObject({ requestId: "req-1", orgId: "org_1", msg: "outside the run" });
    expect(lines[1]).not.toHaveProperty("runId");
    expect(lines[2]).not.toHaveProperty("requestId");
  });

  it("redacts secrets at any depth, in messages and in errors", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination });
    logger.info(
      {
        headers: {
          authorization: "Bearer sk-live-1",
          cookie: "authjs.session-token=abc",
          "x-api-key": "rk_1",
        },
        credential: { type: "openai", data: { apiKey: "sk-2" } },
        node: { config: { auth: { password: "hunter2", clientSecret: "cs", user: "ann" } } },
        url: "postgres://runnel:pw@db.internal/runnel",
        list: [{ token: "t1" }],
      },
      "calling with Bearer abc.def-ghi and Basic dXNlcjpwdw==",
    );
    logger.error({ err: new Error("failed with Authorization: Bearer leaked-token") }, "boom");
    const text = JSON.stringify(lines);
    for (const secret of [
      "sk-live-1",
      "abc",
      "rk_1",
      "sk-2",
      "hunter2",
      '"cs"',
      "pw@",
      "t1",
      "leaked-token",
      "dXNlcjpwdw",
    ])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      msg: `calling with Bearer ${REDACTED} and Basic ${REDACTED}`,
      headers: { authorization: REDACTED, cookie: REDACTED, "x-api-key": REDACTED },
      credential: REDACTED,
      node: { config: { auth: { password: REDACTED, clientSecret: REDACTED, user: "ann" } } },
      url: `postgres://${REDACTED}@db.internal/runnel`,
      list: [{ token: REDACTED }],
    });
    expect(lines[1]).toMatchObject({ level: "error", err: { type: "Error" } });
    expect(String((lines[1]?.err as { message?: string }).message)).toBe(
      `failed with Authorization: Bearer ${REDACTED}`,
    );
  });
});

describe("logRequestError", () => {
  it("writes the request's id, method, path without its query, route and the redacted error", () => {
    const { lines, destination } = capture();
    logRequestError(
      createLogger({ destination }),
      new Error("db gone for Bearer abc123"),
      {
        path: "/api/v1/runs?token=secret-in-query",
        method: "POST",
        headers: { "x-request-id": "req-9", authorization: "Bearer abc123" },
      },
      { routePath: "/api/v1/[...path]", routeType: "route" },
    );
    expect(lines[0]).toMatchObject({
      level: "error",
      requestId: "req-9",
      method: "POST",
      path: "/api/v1/runs",
      route: "/api/v1/[...path]",
      msg: `POST /api/v1/[...path] failed: db gone for Bearer ${REDACTED}`,
    });
    expect(JSON.stringify(lines)).not.toContain("abc123");
    expect(JSON.stringify(lines)).not.toContain("secret-in-query");
  });
});
