import type { RawData } from "ws";
import { connect } from "node:net";
import { WebSocketServer } from "ws";

/**
 * A WebSocket-to-TCP proxy on 127.0.0.1 that speaks what the Neon serverless driver expects of Neon's own
 * proxy: `ws://127.0.0.1:<port>/v1?address=<host>:<port>`, every binary message forwarded to that Postgres
 * and back. It lets the Neon driver run against a local Postgres server. Loopback targets only.
 */
export interface NeonProxy {
  port: number;
  /** Pass as `neonWsProxy` to createDb. */
  wsProxy: (host: string, port: number | string) => string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

export async function startNeonProxy(): Promise<NeonProxy> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/v1" });
  server.on("connection", (socket, request) => {
    const address = new URL(request.url ?? "", "ws://proxy").searchParams.get("address") ?? "";
    const separator = address.lastIndexOf(":");
    const host = address.slice(0, separator);
    const port = Number(address.slice(separator + 1));
    if (
      separator < 0 ||
      !LOOPBACK.has(host) ||
      !Number.isInteger(port) ||
      port <= 0 ||
      port > 65535
    ) {
      socket.close(
        1008,
        `neon proxy: only loopback host:port targets are allowed (got "${address}")`,
      );
      return;
    }
    const tcp = connect({ host: host.replace(/^\[|\]$/g, ""), port });
    tcp.on("data", (chunk) => socket.send(chunk));
    tcp.on("close", () => socket.close());
    tcp.on("error", () => socket.terminate());
    socket.on("message", (data) => tcp.write(toBuffer(data)));
    socket.on("close", () => tcp.destroy());
    socket.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const bound = server.address();
  if (bound === null || typeof bound === "string")
    throw new Error("neon proxy: the WebSocket server has no TCP port");
  const { port } = bound;
  return {
    port,
    wsProxy: (host, targetPort) => `127.0.0.1:${port}/v1?address=${host}:${targetPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const client of server.clients) client.terminate();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
