import type { NextRequest } from "next/server";

import { getAuth } from "~/server/runtime";

export const dynamic = "force-dynamic";

export async function GET(request: NextRequest): Promise<Response> {
  const { handlers } = await getAuth();
  return handlers.GET(request);
}

export async function POST(request: NextRequest): Promise<Response> {
  const { handlers } = await getAuth();
  return handlers.POST(request);
}
