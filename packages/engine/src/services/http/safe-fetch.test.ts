import type { LookupAddress } from "node:dns";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SsrfBlockedError } from "./address-policy";
import {
  createHttpService,
  createSafeDispatcher,
  HttpResponseTooLargeError,
  HttpTimeoutError,
} from "./safe-fetch";

interface TestServer {
  port: number;
  requests: string[];
  connections: number;
  close(): Promise<void>;
}

async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const state = { requests: [] as string[], connections: 0 };
  const server = createServer((req, res) => {
    state.requests.push(`${req.method ?? "?"} ${req.url ?? "?"}`);
    handler(req, res);
  });
  server.on("connection", () => {
    state.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Test DNS: names under .test resolve to fixed answers; nothing reaches a real resolver. */
const TEST_DNS: Record<string, string> = {
  localhost: "127.0.0.1",
  "allowed.test": "127.0.0.1",
  "private.test": "127.0.0.1",
  "metadata-alias.test": "169.254.169.254",
  "ten.test": "10.1.2.3",
  "mapped.test": "::ffff:127.0.0.1",
};
const testLookup: LookupFunction = (hostname, options, callback) => {
  const address = TEST_DNS[hostname];
  if (address === undefined) {
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: "ENOTFOUND",
    });
    callback(error, "", 0);
    return;
  }
  const family = address.includes(":") ? 6 : 4;
  if (options.all === true) callback(null, [{ address, family } satisfies LookupAddress]);
  else callback(null, address, family);
};

let target: TestServer;
let other: TestServer;

beforeAll(async () => {
  target = await startServer((req, res) => {
    if (req.url === "/json") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, auth: req.headers.authorization ?? null }));
    } else if (req.url === "/echo") {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => res.end(`${req.method ?? ""}:${Buffer.concat(chunks).toString()}`));
    } else if (req.url === "/slow") {
      setTimeout(() => res.end("late"), 5_000).unref();
    } else if (req.url === "/big") {
      res.setHeader("content-type", "text/plain");
      // Streams 1 MiB in 16 KiB chunks with no content-length.
      let sent = 0;
      const pump = (): void => {
        while (sent < 1024 * 1024) {
          sent += 16 * 1024;
          if (!res.write(Buffer.alloc(16 * 1024, 97))) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
    } else if (req.url?.startsWith("/redirect?to=")) {
      res.statusCode = 302;
      res.setHeader("location", decodeURIComponent(req.url.slice("/redirect?to=".length)));
      res.end();
    } else if (req.url === "/loop") {
      res.statusCode = 307;
      res.setHeader("location", "/loop");
      res.end();
    } else {
      res.end("hello");
    }
  });
  other = await startServer((_req, res) => res.end("other"));
});

afterAll(async () => {
  await target.close();
  await other.close();
});

describe("safe fetch: allowed targets", () => {
  it("reaches an allow-listed loopback server and parses JSON", async () => {
    const http = createHttpService({ allow: ["127.0.0.1/32"] });
    const res = await http.fetch({
      url: `http://127.0.0.1:${target.port}/json`,
      headers: { Authorization: "Bearer t" },
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.json()).toEqual({ ok: true, auth: "Bearer t" });
    await http.close();
  });

  it("sends a body with POST", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    const res = await http.fetch({
      url: `http://127.0.0.1:${target.port}/echo`,
      method: "POST",
      body: "abc",
    });
    expect(res.text()).toBe("POST:abc");
    await http.close();
  });

  it("allows a host name on the allow-list whatever its private answer", async () => {
    const http = createHttpService({ allow: ["allowed.test"], lookup: testLookup });
    const res = await http.fetch({ url: `http://allowed.test:${target.port}/` });
    expect(res.text()).toBe("hello");
    await http.close();
  });

  it("follows redirects between allowed targets and reports the final URL", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    const to = encodeURIComponent(`http://127.0.0.1:${other.port}/final`);
    const res = await http.fetch({ url: `http://127.0.0.1:${target.port}/redirect?to=${to}` });
    expect(res.text()).toBe("other");
    expect(res.url).toBe(`http://127.0.0.1:${other.port}/final`);
    await http.close();
  });

  it("returns the redirect itself when followRedirects is false", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    const res = await http.fetch({
      url: `http://127.0.0.1:${target.port}/redirect?to=%2Fjson`,
      followRedirects: false,
    });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/json");
    await http.close();
  });

  it("stops after five redirect hops", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    await expect(http.fetch({ url: `http://127.0.0.1:${target.port}/loop` })).rejects.toThrow(
      /Too many redirects \(more than 5\)/,
    );
    await http.close();
  });
});

describe("safe fetch: blocked by default", () => {
  const spellings: [string, string][] = [
    ["http://127.0.0.1:PORT/", "127.0.0.1"],
    ["http://localhost:PORT/", "127.0.0.1"],
    ["http://2130706433:PORT/", "127.0.0.1"],
    ["http://0x7f000001:PORT/", "127.0.0.1"],
    ["http://0177.0.0.1:PORT/", "127.0.0.1"],
    ["http://0x7f.0.0.1:PORT/", "127.0.0.1"],
    ["http://127.1:PORT/", "127.0.0.1"],
    ["http://127.0.1:PORT/", "127.0.0.1"],
    ["http://[::1]:PORT/", "::1"],
    ["http://[::ffff:127.0.0.1]:PORT/", "::ffff:7f00:1"],
    ["http://[::ffff:7f00:1]:PORT/", "::ffff:7f00:1"],
    ["http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/", "::ffff:7f00:1"],
    ["http://[::127.0.0.1]:PORT/", "::7f00:1"],
    ["http://[64:ff9b::127.0.0.1]:PORT/", "64:ff9b::7f00:1"],
    ["http://[2002:7f00:1::]:PORT/", "2002:7f00:1::"],
    ["http://0.0.0.0:PORT/", "0.0.0.0"],
    ["http://0:PORT/", "0.0.0.0"],
    ["http://[::]:PORT/", "::"],
    ["http://10.0.0.1:PORT/", "10.0.0.1"],
    ["http://172.16.0.1:PORT/", "172.16.0.1"],
    ["http://172.31.255.255:PORT/", "172.31.255.255"],
    ["http://192.168.1.1:PORT/", "192.168.1.1"],
    ["http://100.64.0.1:PORT/", "100.64.0.1"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254"],
    ["http://169.254.1.1:PORT/", "169.254.1.1"],
    ["http://[fe80::1]:PORT/", "fe80::1"],
    ["http://[fc00::1]:PORT/", "fc00::1"],
    ["http://[fd00:ec2::254]/", "fd00:ec2::254"],
    ["http://224.0.0.1:PORT/", "224.0.0.1"],
    ["http://[ff02::1]:PORT/", "ff02::1"],
    ["http://255.255.255.255:PORT/", "255.255.255.255"],
    ["http://1.2.3.4.5/", ""],
  ];

  it.each(spellings)("refuses %s before connecting, naming %s", async (spelling, address) => {
    const http = createHttpService({ lookup: testLookup });
    const before = target.connections;
    const url = spelling.replace("PORT", String(target.port));
    const attempt = http.fetch({ url });
    if (address === "") {
      await expect(attempt).rejects.toThrow();
    } else {
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SsrfBlockedError);
      expect((error as SsrfBlockedError).address).toBe(address);
      expect((error as Error).message).toContain(address);
    }
    expect(target.connections).toBe(before);
    await http.close();
  });

  it("refuses the metadata host name without resolving it", async () => {
    let resolved = false;
    const http = createHttpService({
      lookup: (hostname, options, callback) => {
        resolved = true;
        testLookup(hostname, options, callback);
      },
    });
    await expect(
      http.fetch({ url: "http://metadata.google.internal/computeMetadata/v1/" }),
    ).rejects.toThrow(/metadata\.google\.internal is a cloud metadata host name/);
    expect(resolved).toBe(false);
    await http.close();
  });

  it.each([
    ["private.test", "127.0.0.1"],
    ["metadata-alias.test", "169.254.169.254"],
    ["ten.test", "10.1.2.3"],
    ["mapped.test", "::ffff:127.0.0.1"],
  ])("refuses %s whose DNS answer is %s, at connect time", async (host, address) => {
    const http = createHttpService({ lookup: testLookup });
    const before = target.connections;
    const error = await http.fetch({ url: `http://${host}:${target.port}/` }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toContain(address);
    expect((error as Error).message).toContain(host);
    expect(target.connections).toBe(before);
    await http.close();
  });

  it("applies the same checks to https: (TLS connections resolve through the guarded lookup)", async () => {
    const http = createHttpService({ lookup: testLookup });
    const before = target.connections;
    for (const url of [
      `https://private.test:${target.port}/`,
      `https://127.0.0.1:${target.port}/`,
      `https://[::ffff:7f00:1]:${target.port}/`,
    ]) {
      const error = await http.fetch({ url }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SsrfBlockedError);
    }
    expect(target.connections).toBe(before);
    await http.close();
  });

  it("refuses a redirect from an allowed host to a blocked one at the hop", async () => {
    const http = createHttpService({ allow: ["allowed.test"], lookup: testLookup });
    const requestsBefore = other.requests.length;
    for (const blocked of [
      `http://127.0.0.1:${other.port}/`,
      `http://private.test:${other.port}/`,
      `http://[::ffff:127.0.0.1]:${other.port}/`,
    ]) {
      const before = other.connections;
      const to = encodeURIComponent(blocked);
      const error = await http
        .fetch({ url: `http://allowed.test:${target.port}/redirect?to=${to}` })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(SsrfBlockedError);
      expect(other.connections).toBe(before);
    }
    expect(other.requests.length).toBe(requestsBefore);
    await http.close();
  });

  it("the dispatcher itself refuses blocked targets (no reliance on the URL pre-check)", async () => {
    const dispatcher = createSafeDispatcher({ lookup: testLookup });
    const before = target.connections;
    for (const origin of [
      `http://127.0.0.1:${target.port}`,
      `http://private.test:${target.port}`,
      `http://[::ffff:7f00:1]:${target.port}`,
    ]) {
      const error = await dispatcher.request({ origin, path: "/", method: "GET" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SsrfBlockedError);
    }
    expect(target.connections).toBe(before);
    await dispatcher.close();
  });

  it("rejects non-HTTP schemes and credentials in the URL", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    await expect(http.fetch({ url: "file:///etc/passwd" })).rejects.toThrow(
      /only http: and https: are allowed/,
    );
    await expect(http.fetch({ url: `http://u:p@127.0.0.1:${target.port}/` })).rejects.toThrow(
      /carries credentials/,
    );
    await http.close();
  });
});

describe("safe fetch: limits", () => {
  it("times out", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    const error = await http
      .fetch({ url: `http://127.0.0.1:${target.port}/slow`, timeoutMs: 200 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
    await http.close();
  });

  it("aborts a streamed body past the size cap", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    await expect(
      http.fetch({ url: `http://127.0.0.1:${target.port}/big`, maxResponseBytes: 100_000 }),
    ).rejects.toBeInstanceOf(HttpResponseTooLargeError);
    const ok = await http.fetch({
      url: `http://127.0.0.1:${target.port}/big`,
      maxResponseBytes: 2 * 1024 * 1024,
    });
    expect(ok.body.byteLength).toBe(1024 * 1024);
    await http.close();
  });

  it("explains a body that is not JSON", async () => {
    const http = createHttpService({ allow: ["127.0.0.1"] });
    const res = await http.fetch({ url: `http://127.0.0.1:${target.port}/` });
    expect(() => res.json()).toThrow(/is not valid JSON/);
    await http.close();
  });
});
