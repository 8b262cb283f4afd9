"use client";

import type { LucideIcon } from "lucide-react";
import {
  ChartColumn,
  CircleCheckBig,
  KeyRound,
  LayoutDashboard,
  Lock,
  Play,
  Rocket,
  Settings,
  Webhook,
  Workflow,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

import { cn, Tooltip } from "@runnel/ui";

import type { Role } from "~/lib/roles";
import { usePendingApprovalCount } from "~/features/approvals/use-pending-count";

const items: { href: string; label: string; icon: LucideIcon }[] = [
  { href: "/", label: "Dashboard", icon: LayoutDashboard },
  { href: "/flows", label: "Flows", icon: Workflow },
  { href: "/runs", label: "Runs", icon: Play },
  { href: "/approvals", label: "Approvals", icon: CircleCheckBig },
  { href: "/deployments", label: "Deployments", icon: Rocket },
  { href: "/triggers", label: "Triggers", icon: Webhook },
  { href: "/usage", label: "Usage", icon: ChartColumn },
  { href: "/credentials", label: "Credentials", icon: Lock },
  { href: "/settings/api-keys", label: "API keys", icon: KeyRound },
  { href: "/settings", label: "Settings", icon: Settings },
];

function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  if (href === "/settings") return pathname === "/settings" || pathname === "/settings/members";
  return pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The app's pages. `collapsed` (from md up) turns it into an icon rail: the labels stay as the links' accessible
 * names and show as tooltips, and the pending-approvals count sits on the icon.
 */
export function MainNav({ role, collapsed }: { role: Role; collapsed: boolean }) {
  const pathname = usePathname();
  const pending = usePendingApprovalCount(role);
  return (
    <nav aria-label="Main">
      <ul className={cn("flex flex-wrap gap-1 md:flex-col", collapsed && "md:items-center")}>
        {items.map(({ href, label, icon: Icon }) => {
          const active = isActive(pathname, href);
          const count = href === "/approvals" ? pending : 0;
          return (
            <li key={href}>
              <Tooltip label={label} side="right" disabled={!collapsed}>
                <Link
                  href={href}
                  aria-current={active ? "page" : undefined}
                  className={cn(
                    "relative flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-fg hover:bg-surface",
                    active && "bg-surface shadow-sm",
                    collapsed && "md:size-10 md:justify-center md:p-0",
                  )}
                >
                  <Icon aria-hidden="true" className="size-4 shrink-0 text-fg-muted" />
                  <span className={cn(collapsed && "md:sr-only")}>{label}</span>
                  {count > 0 ? (
                    <span
                      className={cn(
                        "ml-auto rounded-full bg-primary px-1.5 text-xs leading-5 text-primary-fg",
                        collapsed &&
                          "md:absolute md:top-0 md:right-0 md:ml-0 md:min-w-4 md:px-1 md:text-center md:text-[0.625rem] md:leading-4",
                      )}
                    >
                      {count > 99 ? "99+" : count}
                      <span className="sr-only"> pending</span>
                    </span>
                  ) : null}
                </Link>
              </Tooltip>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
