import type { NextRequest } from "next/server";

import { withRequestContext } from "~/server/request-context";
import { getAuth } from "~/server/runtime";

export const dynamic = "force-dynamic";

export function GET(request: NextRequest): Promise<Response> {
  return withRequestContext(request, async () => (await getAuth()).handlers.GET(request));
}

export function POST(request: NextRequest): Promise<Response> {
  return withRequestContext(request, async () => (await getAuth()).handlers.POST(request));
}
