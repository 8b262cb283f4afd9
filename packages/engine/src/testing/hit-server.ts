import { createServer } from "node:http";

export interface HitServer {
  url: string;
  /** Requests seen per path (without the query). */
  hits(path: string): number;
  /** [start, end] times (ms since epoch) of each finished request per path. */
  spans(path: string): [number, number][];
  /** The most requests in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/**
 * A local HTTP server the HTTP node calls, counting side effects: `/count/<k>` answers 200; `/slow/<k>?ms=N`
 * answers after N ms; `/flaky/<k>?fail=N` answers 500 to the first N requests, then 200; `/fail/<k>` always 500.
 */
export async function startHitServer(): Promise<HitServer> {
  const counts = new Map<string, number>();
  const spans = new Map<string, [number, number][]>();
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const count = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, count);
    const began = Date.now();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const answer = (status: number) => {
      inFlight--;
      spans.set(url.pathname, [...(spans.get(url.pathname) ?? []), [began, Date.now()]]);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: url.pathname, count }));
    };
    const [, kind] = url.pathname.split("/");
    if (kind === "slow") setTimeout(() => answer(200), Number(url.searchParams.get("ms") ?? "300"));
    else if (kind === "flaky")
      answer(count <= Number(url.searchParams.get("fail") ?? "1") ? 500 : 200);
    else if (kind === "fail") answer(500);
    else answer(200);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => counts.get(path) ?? 0,
    spans: (path) => spans.get(path) ?? [],
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
