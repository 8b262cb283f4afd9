import type { TRPCLink } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import { EventSource } from "eventsource";

import type { AppRouter } from "@runnel/api";
import { transformer } from "@runnel/api/transformer";

export type { AppRouter, RouterInputs, RouterOutputs } from "@runnel/api";
export { TRPCClientError };

export interface RunnelClientOptions {
  /** Where Runnel runs, e.g. `https://runnel.example.com` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** An API key (`rk_…`) of the org to act in; it acts with the editor role. */
  apiKey: string;
  /** Path of the tRPC endpoint under baseUrl (default `/api/trpc`). */
  endpoint?: string;
  /** A fetch implementation for queries, mutations and subscriptions (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** The tRPC URL for a base URL and endpoint path, without doubled slashes. */
export function trpcUrl(baseUrl: string, endpoint = "/api/trpc"): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new Error(
      `createRunnelClient: baseUrl "${baseUrl}" is not an absolute URL (e.g. http://127.0.0.1:3000)`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`createRunnelClient: baseUrl must be http(s), got ${parsed.protocol}`);
  }
  return `${baseUrl.replace(/\/+$/, "")}/${endpoint.replace(/^\/+/, "")}`;
}

/**
 * The links of a Runnel client, for any router served the way Runnel serves its own: subscriptions over
 * Server-Sent Events (the `eventsource` package, which works on Node 20 and sends the Bearer header), everything
 * else batched over HTTP; the server's transformer (superjson) on both.
 */
export function runnelLinks<TRouter extends AnyRouter>(
  options: RunnelClientOptions,
): TRPCLink<TRouter>[] {
  if (!options.apiKey.trim()) throw new Error("createRunnelClient: apiKey is empty");
  const url = trpcUrl(options.baseUrl, options.endpoint);
  const headers = { ...options.headers, authorization: `Bearer ${options.apiKey}` };
  const baseFetch = options.fetch ?? globalThis.fetch;
  return [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink<AnyRouter, typeof EventSource>({
        url,
        transformer,
        EventSource,
        eventSourceOptions: {
          fetch: (input, init) =>
            baseFetch(input, { ...init, headers: { ...init.headers, ...headers } }),
        },
      }),
      false: httpBatchLink<AnyRouter>({
        url,
        transformer,
        headers,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    }),
  ];
}

/**
 * A typed client of Runnel's tRPC API, authenticated with an API key:
 *
 * ```ts
 * const runnel = createRunnelClient({ baseUrl: "http://127.0.0.1:3000", apiKey: process.env.RUNNEL_API_KEY });
 * const flow = await runnel.flows.create.mutate({ name: "Hello" });
 * ```
 */
export function createRunnelClient(options: RunnelClientOptions) {
  return createTRPCClient<AppRouter>({ links: runnelLinks(options) });
}
export type RunnelClient = ReturnType<typeof createRunnelClient>;

/** True for an error answered by the Runnel API (with `data.code`, `data.httpStatus`, `data.zodError`). */
export function isRunnelError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}
