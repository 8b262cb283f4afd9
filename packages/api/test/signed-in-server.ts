/**
 * The app as a browser meets it, over real HTTP on loopback: next-auth's route handlers, the tRPC fetch adapter (and
 * optionally REST v1) behind one server, wired as apps/web wires them (session from `auth()`, then sessionUserOf);
 * and a browser that is a cookie jar with next-auth's sign-in and sign-out forms.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { expect } from "vitest";

import type { Database } from "@runnel/db";
import { createAuth, sessionUserOf } from "@runnel/auth";

import type { LoopbackServer } from "../src/rest/serve.fixtures";
import type { EngineDeps } from "../src/trpc";
import { serveOnLoopback } from "../src/rest/serve.fixtures";
import { appRouter } from "../src/root";
import { createTRPCContext } from "../src/trpc";
import { APP_URL, PASSWORD } from "./harness";

export async function serveSignedInApp(options: {
  db: Database;
  encryptionKey: Buffer;
  engine?: EngineDeps;
  /** Serves /api/v1/ when given. */
  rest?: (request: Request) => Promise<Response>;
}): Promise<LoopbackServer> {
  const { db, rest } = options;
  const auth = createAuth({
    getDb: () => Promise.resolve(db),
    secret: "signed-in-server-secret-".padEnd(48, "x"),
    env: {},
  });
  return serveOnLoopback(async (request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/api/auth/"))
      return request.method === "POST"
        ? auth.handlers.POST(request as never)
        : auth.handlers.GET(request as never);
    if (rest && path.startsWith("/api/v1/")) return rest(request);
    // Next.js sets x-forwarded-proto on every request; next-auth's auth() picks the cookie names by it.
    const headers = new Headers(request.headers);
    headers.set("x-forwarded-proto", "http");
    const session = sessionUserOf(
      await auth.auth({ headers } as never, { headers: new Headers() } as never),
    );
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () =>
        createTRPCContext({
          headers: request.headers,
          db,
          session,
          encryptionKey: options.encryptionKey,
          appUrl: APP_URL,
          ...(options.engine ? { engine: options.engine } : {}),
        }),
    });
  });
}

/** A browser: a cookie jar and next-auth's sign-in and sign-out forms on the server at `baseUrl()`. */
export class CookieBrowser {
  readonly jar = new Map<string, string>();

  /** `baseUrl` is read per request: the server may start after the browser is made. */
  constructor(protected readonly baseUrl: () => string) {}

  cookie(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private keep(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const index = pair.indexOf("=");
      const value = pair.slice(index + 1);
      if (value === "") this.jar.delete(pair.slice(0, index));
      else this.jar.set(pair.slice(0, index), value);
    }
  }

  private async form(path: string, fields: Record<string, string>): Promise<Response> {
    const base = this.baseUrl();
    const csrf = await fetch(`${base}/api/auth/csrf`, { headers: { cookie: this.cookie() } });
    this.keep(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch(`${base}/api/auth/${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookie() },
      body: new URLSearchParams({ ...fields, csrfToken, callbackUrl: `${base}/` }),
    });
    this.keep(response);
    return response;
  }

  async signIn(email: string, password = PASSWORD): Promise<this> {
    const response = await this.form("callback/credentials", { email, password });
    expect(response.headers.get("location")).not.toMatch(/error=/);
    expect(this.jar.has("authjs.session-token")).toBe(true);
    return this;
  }

  signOut(): Promise<Response> {
    return this.form("signout", {});
  }
}
