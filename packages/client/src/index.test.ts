import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { createTRPCClient } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createRunnelClient, isRunnelError, runnelLinks, trpcUrl } from "./index";

/** A router served like Runnel's (superjson, Bearer header), with a subscription to exercise the SSE link. */
const t = initTRPC.context<{ authorization: string | null }>().create({ transformer: superjson });
const KEY = `rk_${"k".repeat(43)}`;
const testRouter = t.router({
  whoami: t.procedure.query(({ ctx }) => ({ authorization: ctx.authorization, at: new Date(0) })),
  ticks: t.procedure.subscription(async function* ({ ctx }) {
    if (ctx.authorization !== `Bearer ${KEY}`) throw new TRPCError({ code: "UNAUTHORIZED" });
    for (let i = 1; i <= 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      yield { tick: i, authorization: ctx.authorization, at: new Date(i) };
    }
  }),
});

let server: Server;
let baseUrl: string;

/** node:http → fetch Request → tRPC fetch adapter → streamed node:http response (SSE needs streaming). */
async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://127.0.0.1${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    }),
    router: testRouter,
    createContext: ({ req: r }) => ({ authorization: r.headers.get("authorization") }),
  });
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.writeHead(response.status);
  const reader = response.body?.getReader();
  for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
    res.write(part.value);
  }
  res.end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("runnelLinks", () => {
  it("sends the Bearer key on batched queries, with superjson", async () => {
    const client = createTRPCClient<typeof testRouter>({
      links: runnelLinks({ baseUrl, apiKey: KEY }),
    });
    expect(await client.whoami.query()).toEqual({
      authorization: `Bearer ${KEY}`,
      at: new Date(0),
    });
  });

  it("streams subscriptions over SSE through the eventsource package, with the Bearer key", async () => {
    const client = createTRPCClient<typeof testRouter>({
      links: runnelLinks({ baseUrl: `${baseUrl}/`, apiKey: KEY }),
    });
    const received = await new Promise<unknown[]>((resolve, reject) => {
      const data: unknown[] = [];
      const subscription = client.ticks.subscribe(undefined, {
        onData: (value) => {
          data.push(value);
          if (data.length === 3) {
            subscription.unsubscribe();
            resolve(data);
          }
        },
        onError: reject,
      });
    });
    expect(received).toEqual(
      [1, 2, 3].map((i) => ({ tick: i, authorization: `Bearer ${KEY}`, at: new Date(i) })),
    );
  });
});

describe("createRunnelClient", () => {
  it("checks its options", () => {
    expect(() => createRunnelClient({ baseUrl: "localhost:3000", apiKey: KEY })).toThrow(
      /baseUrl "localhost:3000" is not an absolute URL|must be http\(s\)/,
    );
    expect(() => createRunnelClient({ baseUrl, apiKey: " " })).toThrow(/apiKey is empty/);
    expect(trpcUrl("http://h:1/base/", "/api/trpc")).toBe("http://h:1/base/api/trpc");
  });

  it("surfaces API errors as TRPCClientError with the HTTP status", async () => {
    const client = createRunnelClient({ baseUrl, apiKey: KEY });
    const error = await client.me.get.query().catch((e: unknown) => e);
    expect(isRunnelError(error)).toBe(true);
    expect(isRunnelError(error) && error.data?.httpStatus).toBe(404);
  });
});
