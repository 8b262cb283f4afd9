import type { ReactNode } from "react";
import { Workflow } from "lucide-react";
import Link from "next/link";

import type { RouterOutputs } from "@runnel/api";

import { ThemeToggle } from "~/features/theme/theme-toggle";
import { MainNav } from "./main-nav";
import { OrgSwitcher } from "./org-switcher";
import { UserMenu } from "./user-menu";

export type Me = RouterOutputs["me"]["get"];

export function AppShell({ me, children }: { me: Me; children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-surface focus:p-2"
      >
        Skip to content
      </a>
      <aside className="flex shrink-0 flex-col gap-4 border-b border-border bg-surface-muted p-4 md:w-60 md:border-r md:border-b-0">
        <Link href="/" className="flex items-center gap-2 text-lg font-semibold">
          <Workflow aria-hidden="true" className="size-5 text-link" />
          Runnel
        </Link>
        <OrgSwitcher activeOrg={me.activeOrg} orgs={me.orgs} />
        <MainNav role={me.activeOrg.role} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-end gap-2 border-b border-border px-6">
          <ThemeToggle />
          <UserMenu name={me.user.name} email={me.user.email} />
        </header>
        <main id="main" className="flex-1 p-6">
          {children}
        </main>
      </div>
    </div>
  );
}
