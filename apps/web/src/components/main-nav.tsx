"use client";

import type { LucideIcon } from "lucide-react";
import {
  CircleCheckBig,
  KeyRound,
  LayoutDashboard,
  Lock,
  Play,
  Settings,
  Workflow,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

import { cn } from "@runnel/ui";

const items: { href: string; label: string; icon: LucideIcon }[] = [
  { href: "/", label: "Dashboard", icon: LayoutDashboard },
  { href: "/flows", label: "Flows", icon: Workflow },
  { href: "/runs", label: "Runs", icon: Play },
  { href: "/approvals", label: "Approvals", icon: CircleCheckBig },
  { href: "/credentials", label: "Credentials", icon: Lock },
  { href: "/settings/api-keys", label: "API keys", icon: KeyRound },
  { href: "/settings", label: "Settings", icon: Settings },
];

function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  if (href === "/settings") return pathname === "/settings" || pathname === "/settings/members";
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function MainNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main">
      <ul className="flex flex-wrap gap-1 md:flex-col">
        {items.map(({ href, label, icon: Icon }) => {
          const active = isActive(pathname, href);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-fg hover:bg-surface",
                  active && "bg-surface shadow-sm",
                )}
              >
                <Icon aria-hidden="true" className="size-4 text-fg-muted" />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
