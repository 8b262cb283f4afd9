"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import { cn } from "@runnel/ui";

const tabs = [
  { href: "/settings", label: "Organization" },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/api-keys", label: "API keys" },
  { href: "/settings/account", label: "Account" },
];

export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings">
      <ul className="inline-flex gap-1 rounded-md bg-surface-muted p-1">
        {tabs.map((tab) => {
          const active = pathname === tab.href;
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "block rounded-sm px-3 py-1 text-sm font-medium text-fg-muted",
                  active && "bg-surface text-fg shadow-sm",
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
