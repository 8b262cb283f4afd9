import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestDb } from "@runnel/db/testing";
import { and, eq } from "@runnel/db";
import { auditLog } from "@runnel/db/schema";
import { createTestDb } from "@runnel/db/testing";

import type { SignInEvent } from "./config";
import { buildAuthConfig, createAuth, enabledOAuthProviders, sessionUserOf } from "./config";
import { listUserOrgs } from "./orgs";
import { createRateLimiter } from "./rate-limit";
import { revokeUserSessions } from "./sessions";
import { registerUser } from "./users";

const BASE = "http://localhost:3000/api/auth";
let h: TestDb;
let userId: string;
const signIns: SignInEvent[] = [];
let auth: ReturnType<typeof createAuth>;

beforeAll(async () => {
  h = await createTestDb();
  ({ userId } = await registerUser(h.db, {
    name: "Ada",
    email: "ada@example.com",
    password: "analytical-engine-1",
  }));
  auth = createAuth({
    getDb: () => Promise.resolve(h.db),
    secret: "test-secret-".padEnd(48, "x"),
    env: {},
    onSignIn: (event) => {
      signIns.push(event);
    },
  });
});
afterAll(async () => {
  await h.close();
});

/** name=value pairs from a response's Set-Cookie headers. */
function cookiesOf(response: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const index = pair?.indexOf("=") ?? -1;
    if (pair && index > 0) jar.set(pair.slice(0, index), pair.slice(index + 1));
  }
  return jar;
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/** Signs in through next-auth's real route handlers (CSRF token, then the credentials callback). */
async function signIn(email: string, password: string) {
  const csrfResponse = await auth.handlers.GET(new Request(`${BASE}/csrf`) as never);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const jar = cookiesOf(csrfResponse);
  const response = await auth.handlers.POST(
    new Request(`${BASE}/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      body: new URLSearchParams({
        email,
        password,
        csrfToken,
        callbackUrl: "http://localhost:3000/",
      }),
    }) as never,
  );
  for (const [name, value] of cookiesOf(response)) jar.set(name, value);
  return { response, jar };
}

async function session(cookie: string): Promise<{ user?: { id?: string; email?: string } } | null> {
  const response = await auth.handlers.GET(
    new Request(`${BASE}/session`, { headers: { cookie } }) as never,
  );
  return (await response.json()) as { user?: { id?: string; email?: string } } | null;
}

describe("createAuth (next-auth handlers, credentials provider)", () => {
  it("signs in with the right password: session cookie, user id in the session, audit row, onSignIn", async () => {
    const { response, jar } = await signIn("ada@example.com", "analytical-engine-1");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://localhost:3000/");
    expect(jar.has("authjs.session-token")).toBe(true);
    expect(await session(cookieHeader(jar))).toMatchObject({
      user: { id: userId, email: "ada@example.com" },
    });
    const rows = await h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "auth.sign_in"), eq(auditLog.actorUserId, userId)));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.metadata).toEqual({ provider: "credentials" });
    expect(signIns).toEqual([{ userId, provider: "credentials", isNewUser: false }]);
  });

  it("fails a wrong password or an unknown email with CredentialsSignin and no session", async () => {
    for (const [email, password] of [
      ["ada@example.com", "wrong-password-1"],
      ["nobody@example.com", "analytical-engine-1"],
    ] as const) {
      const { response, jar } = await signIn(email, password);
      expect(response.headers.get("location")).toMatch(/error=CredentialsSignin/);
      expect(jar.has("authjs.session-token")).toBe(false);
    }
  });

  it("treats a tampered session cookie as signed out", async () => {
    const { jar } = await signIn("ada@example.com", "analytical-engine-1");
    const token = jar.get("authjs.session-token") ?? "";
    const tampered = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await session(`authjs.session-token=${tampered}`)).toBeNull();
  });

  it("after too many failures for an email, refuses even the right password (code=rate_limited)", async () => {
    const limited = createAuth({
      getDb: () => Promise.resolve(h.db),
      secret: "test-secret-".padEnd(48, "x"),
      env: {},
      signInLimiter: createRateLimiter({ limit: 2, windowMs: 60_000 }),
    });
    const attempt = async (password: string) => {
      const csrf = await limited.handlers.GET(new Request(`${BASE}/csrf`) as never);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const response = await limited.handlers.POST(
        new Request(`${BASE}/callback/credentials`, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            cookie: cookieHeader(cookiesOf(csrf)),
          },
          body: new URLSearchParams({
            email: "ada@example.com",
            password,
            csrfToken,
            callbackUrl: "http://localhost:3000/",
          }),
        }) as never,
      );
      return response.headers.get("location") ?? "";
    };
    expect(await attempt("wrong-password-1")).toMatch(/code=credentials/);
    expect(await attempt("wrong-password-2")).toMatch(/code=credentials/);
    expect(await attempt("analytical-engine-1")).toMatch(
      /error=CredentialsSignin&code=rate_limited/,
    );
  });

  it("after too many failures from one address, refuses any email from it; other addresses still sign in", async () => {
    const limited = createAuth({
      getDb: () => Promise.resolve(h.db),
      secret: "test-secret-".padEnd(48, "x"),
      env: {},
      signInIpLimiter: createRateLimiter({ limit: 2, windowMs: 60_000 }),
    });
    const attempt = async (email: string, password: string, address: string) => {
      const csrf = await limited.handlers.GET(new Request(`${BASE}/csrf`) as never);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const response = await limited.handlers.POST(
        new Request(`${BASE}/callback/credentials`, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            cookie: cookieHeader(cookiesOf(csrf)),
            "x-forwarded-for": address,
          },
          body: new URLSearchParams({
            email,
            password,
            csrfToken,
            callbackUrl: "http://localhost:3000/",
          }),
        }) as never,
      );
      return response.headers.get("location") ?? "";
    };
    expect(await attempt("ada@example.com", "wrong-password-1", "198.51.100.1")).toMatch(
      /code=credentials/,
    );
    expect(await attempt("bob@example.com", "wrong-password-2", "198.51.100.1")).toMatch(
      /code=credentials/,
    );
    expect(await attempt("ada@example.com", "analytical-engine-1", "198.51.100.1")).toMatch(
      /error=CredentialsSignin&code=rate_limited/,
    );
    expect(await attempt("ada@example.com", "analytical-engine-1", "203.0.113.5")).not.toMatch(
      /error=/,
    );
  });

  it("gives a user created by the adapter (OAuth) a personal org once", async () => {
    const config = buildAuthConfig(h.db, {
      secret: "s".repeat(40),
      env: {},
      signInLimiter: createRateLimiter({ limit: 1, windowMs: 1 }),
    });
    const created = await config.adapter?.createUser?.({
      id: "",
      email: "grace@example.com",
      name: "Grace",
      emailVerified: null,
    });
    if (!created) throw new Error("the adapter did not create the user");
    await config.events?.createUser?.({ user: created });
    await config.events?.createUser?.({ user: created });
    const orgsOfGrace = await listUserOrgs(h.db, created.id);
    expect(orgsOfGrace).toEqual([
      expect.objectContaining({ name: "Grace's org", role: "owner", personal: true }),
    ]);
  });

  it("configures GitHub and Google only when their id and secret are set", () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1 });
    const ids = (env: Parameters<typeof enabledOAuthProviders>[0]) =>
      buildAuthConfig(h.db, { secret: "s".repeat(40), env, signInLimiter: limiter }).providers.map(
        (p) => (typeof p === "function" ? p().id : p.id),
      );
    expect(ids({})).toEqual(["credentials"]);
    expect(
      ids({
        AUTH_GITHUB_ID: "id",
        AUTH_GITHUB_SECRET: "s",
        AUTH_GOOGLE_ID: "g",
        AUTH_GOOGLE_SECRET: "t",
      }),
    ).toEqual(["credentials", "github", "google"]);
  });

  it("enables OAuth providers only when both their id and secret are set", () => {
    expect(enabledOAuthProviders({})).toEqual([]);
    expect(enabledOAuthProviders({ AUTH_GITHUB_ID: "id" })).toEqual([]);
    expect(
      enabledOAuthProviders({
        AUTH_GITHUB_ID: "id",
        AUTH_GITHUB_SECRET: "s",
        AUTH_GOOGLE_ID: "g",
        AUTH_GOOGLE_SECRET: "t",
      }),
    ).toEqual(["github", "google"]);
  });
});

describe("revocable sessions (next-auth handlers)", () => {
  async function signOut(jar: Map<string, string>) {
    const csrfResponse = await auth.handlers.GET(
      new Request(`${BASE}/csrf`, { headers: { cookie: cookieHeader(jar) } }) as never,
    );
    const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
    for (const [name, value] of cookiesOf(csrfResponse)) jar.set(name, value);
    return auth.handlers.POST(
      new Request(`${BASE}/signout`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: cookieHeader(jar),
        },
        body: new URLSearchParams({ csrfToken, callbackUrl: "http://localhost:3000/" }),
      }) as never,
    );
  }

  it("refuses a cookie copied before sign-out, and leaves the user's other sessions alone", async () => {
    const { jar } = await signIn("ada@example.com", "analytical-engine-1");
    const { jar: otherBrowser } = await signIn("ada@example.com", "analytical-engine-1");
    const copied = `authjs.session-token=${jar.get("authjs.session-token") ?? ""}`;
    expect(await session(copied)).toMatchObject({ user: { id: userId } });

    const response = await signOut(jar);
    expect(response.status).toBe(302);
    expect(await session(copied)).toBeNull();
    expect(await session(cookieHeader(otherBrowser))).toMatchObject({ user: { id: userId } });
  });

  it("refuses every cookie of the user once their sessions are ended", async () => {
    const { jar: one } = await signIn("ada@example.com", "analytical-engine-1");
    const { jar: two } = await signIn("ada@example.com", "analytical-engine-1");
    const first = (await session(cookieHeader(one))) as { sessionId?: string } | null;
    expect(first?.sessionId).toEqual(expect.any(String));
    await revokeUserSessions(h.db, userId);
    expect(await session(cookieHeader(one))).toBeNull();
    expect(await session(cookieHeader(two))).toBeNull();
  });

  it("refuses a validly signed token that names no session (issued before sessions were recorded)", async () => {
    const token = await encode({
      token: { sub: userId, email: "ada@example.com" },
      secret: "test-secret-".padEnd(48, "x"),
      salt: "authjs.session-token",
    });
    expect(await session(`authjs.session-token=${token}`)).toBeNull();
    const forged = await encode({
      token: { sub: userId, sid: "made-up" },
      secret: "test-secret-".padEnd(48, "x"),
      salt: "authjs.session-token",
    });
    expect(await session(`authjs.session-token=${forged}`)).toBeNull();
  });

  it("sessionUserOf reads the user and session id, and null for anything less", () => {
    expect(
      sessionUserOf({ user: { id: "u1" }, sessionId: "s1", expires: "2030-01-01T00:00:00Z" }),
    ).toEqual({ userId: "u1", sessionId: "s1" });
    expect(sessionUserOf({ user: { id: "u1" }, expires: "2030-01-01T00:00:00Z" })).toBeNull();
    expect(sessionUserOf(null)).toBeNull();
  });
});
