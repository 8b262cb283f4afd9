import type { ReactNode } from "react";
import { cookies } from "next/headers";

import type { RouterOutputs } from "@runnel/api";

import { ThemeToggle } from "~/features/theme/theme-toggle";
import { AppSidebar, SidebarToggle } from "./app-sidebar";
import { parseLayoutChoices } from "./layout-prefs";
import { LayoutPrefsProvider } from "./layout-prefs-provider";
import { UserMenu } from "./user-menu";

export type Me = RouterOutputs["me"]["get"];

/**
 * Sidebar, header and page. The layout choices (sidebar rail, editor palette) come from cookies read here, so the
 * server already renders the stored layout and nothing moves after hydration.
 */
export async function AppShell({ me, children }: { me: Me; children: ReactNode }) {
  const jar = await cookies();
  const initial = parseLayoutChoices((name) => jar.get(name)?.value);
  return (
    <LayoutPrefsProvider initial={initial}>
      <div className="flex min-h-screen flex-col md:flex-row">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-surface focus:p-2"
        >
          Skip to content
        </a>
        <AppSidebar me={me} />
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex h-14 items-center gap-2 border-b border-border px-6">
            <SidebarToggle />
            <div className="ml-auto flex items-center gap-2">
              <ThemeToggle />
              <UserMenu name={me.user.name} email={me.user.email} />
            </div>
          </header>
          <main id="main" className="flex-1 p-6">
            {children}
          </main>
        </div>
      </div>
    </LayoutPrefsProvider>
  );
}
