import type { ReactNode } from "react";

import { AppShell } from "~/components/app-shell";
import { requireMe } from "~/server/caller";

export const dynamic = "force-dynamic";

/** Every page in this group needs a signed-in user; a missing or tampered session → /sign-in. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const me = await requireMe();
  return <AppShell me={me}>{children}</AppShell>;
}
