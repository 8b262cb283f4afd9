"use client";

import { PanelLeftClose, PanelLeftOpen, Workflow } from "lucide-react";
import Link from "next/link";

import { Button, cn, Tooltip } from "@runnel/ui";

import type { Me } from "./app-shell";
import { useSidebarCollapsed } from "./layout-prefs-provider";
import { MainNav } from "./main-nav";
import { OrgSwitcher } from "./org-switcher";

const SIDEBAR_ID = "app-sidebar";

/**
 * The app's sidebar: logo, org switcher and main navigation. From md up it is either full (240 px) or an icon rail
 * (64 px) that keeps every control (names as accessible names and tooltips); below md it is a bar above the page.
 */
export function AppSidebar({ me }: { me: Me }) {
  const [collapsed] = useSidebarCollapsed();
  return (
    <aside
      id={SIDEBAR_ID}
      aria-label="Sidebar"
      data-collapsed={collapsed}
      className={cn(
        "flex shrink-0 flex-col gap-4 border-b border-border bg-surface-muted p-4 md:border-r md:border-b-0",
        collapsed ? "md:w-16 md:items-center md:px-3" : "md:w-60",
      )}
    >
      <Link
        href="/"
        className={cn(
          "flex items-center gap-2 text-lg font-semibold",
          collapsed && "md:h-7 md:justify-center",
        )}
      >
        <Workflow aria-hidden="true" className="size-5 shrink-0 text-link" />
        <span className={cn(collapsed && "md:sr-only")}>Runnel</span>
      </Link>
      <OrgSwitcher activeOrg={me.activeOrg} orgs={me.orgs} compact={collapsed} />
      <MainNav role={me.activeOrg.role} collapsed={collapsed} />
    </aside>
  );
}

/** Switches the sidebar between full and icon rail (from md up); the choice is kept for every page. */
export function SidebarToggle() {
  const [collapsed, setCollapsed] = useSidebarCollapsed();
  const label = collapsed ? "Expand sidebar" : "Collapse sidebar";
  return (
    <Tooltip label={label} side="bottom">
      <Button
        variant="ghost"
        size="icon"
        className="hidden md:inline-flex"
        aria-label={label}
        aria-expanded={!collapsed}
        aria-controls={SIDEBAR_ID}
        onClick={() => setCollapsed(!collapsed)}
      >
        {collapsed ? <PanelLeftOpen aria-hidden="true" /> : <PanelLeftClose aria-hidden="true" />}
      </Button>
    </Tooltip>
  );
}
