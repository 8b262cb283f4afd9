import type { Metadata } from "next";
import { KeyRound, Lock, Users, Workflow } from "lucide-react";
import Link from "next/link";

import {
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from "@runnel/ui";

import { requireCaller, requireMe } from "~/server/caller";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const me = await requireMe();
  const caller = await requireCaller();
  const [members, keys, credentials] = await Promise.all([
    caller.orgs.members(),
    caller.apiKeys.list(),
    caller.credentials.list(),
  ]);
  const activeKeys = keys.filter((key) => !key.revokedAt).length;
  const stats = [
    {
      label: "Members",
      value: members.members.length,
      href: "/settings/members",
      action: "Manage members",
      icon: Users,
    },
    {
      label: "Active API keys",
      value: activeKeys,
      href: "/settings/api-keys",
      action: "Manage API keys",
      icon: KeyRound,
    },
    {
      label: "Credentials",
      value: credentials.length,
      href: "/credentials",
      action: "Manage credentials",
      icon: Lock,
    },
  ];
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Welcome, {me.user.name ?? me.user.email}</h1>
        <p className="flex items-center gap-2 text-sm text-fg-muted">
          You are working in <span className="font-medium text-fg">{me.activeOrg.name}</span>
          <Badge>{me.activeOrg.role}</Badge>
        </p>
      </div>
      <ul className="grid gap-4 sm:grid-cols-3" aria-label="Organization at a glance">
        {stats.map(({ label, value, href, action, icon: Icon }) => (
          <li key={label}>
            <Card>
              <CardHeader>
                <CardDescription className="flex items-center gap-2">
                  <Icon aria-hidden="true" className="size-4" />
                  {label}
                </CardDescription>
                <p className="text-3xl font-semibold">{value}</p>
              </CardHeader>
              <CardContent>
                <Link
                  href={href}
                  className="text-sm font-medium text-link underline-offset-4 hover:underline"
                >
                  {action}
                </Link>
              </CardContent>
            </Card>
          </li>
        ))}
      </ul>
      <Card>
        <CardHeader>
          <CardTitle>Build your first flow</CardTitle>
          <CardDescription>
            Store the credentials your nodes need, invite your team, and create an API key to start
            runs from your own code.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-wrap gap-2">
          <Button asChild>
            <Link href="/flows">
              <Workflow aria-hidden="true" />
              Flows
            </Link>
          </Button>
          <Button asChild variant="secondary">
            <Link href="/credentials">Add a credential</Link>
          </Button>
          <Button asChild variant="secondary">
            <Link href="/settings/members">Invite members</Link>
          </Button>
        </CardContent>
      </Card>
    </div>
  );
}
