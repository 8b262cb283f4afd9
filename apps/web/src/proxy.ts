import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";

import { PATH_HEADER } from "~/lib/path-header";

/**
 * Tells server components which page was asked for (pathname + query), so a signed-out visitor is
 * sent to /sign-in?callbackUrl=<that page> and comes back to it. Any value the client sent is replaced.
 */
export function proxy(request: NextRequest): NextResponse {
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
