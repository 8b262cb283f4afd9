import type { LucideIcon } from "lucide-react";
import type { Metadata } from "next";
import {
  BookOpen,
  ChartColumn,
  CircleCheckBig,
  KeyRound,
  Lock,
  Play,
  Rocket,
  Users,
  Webhook,
  Workflow,
} from "lucide-react";
import Link from "next/link";

import type { BadgeProps } from "@runnel/ui";
import {
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  EmptyState,
} from "@runnel/ui";

import { formatDateTime } from "~/lib/format";
import { requireCaller, requireMe } from "~/server/caller";

export const metadata: Metadata = { title: "Dashboard" };

const runStatusBadge: Record<string, BadgeProps["variant"]> = {
  succeeded: "success",
  failed: "danger",
  waiting: "warning",
  running: "primary",
};

const quickLinks: { href: string; label: string; icon: LucideIcon }[] = [
  { href: "/flows", label: "Flows", icon: Workflow },
  { href: "/runs", label: "Runs", icon: Play },
  { href: "/deployments", label: "Deployments", icon: Rocket },
  { href: "/deployments/reference", label: "API reference", icon: BookOpen },
  { href: "/triggers", label: "Webhooks & schedules", icon: Webhook },
  { href: "/usage", label: "Usage", icon: ChartColumn },
];

const firstSteps: { title: string; text: string; href: string; action: string }[] = [
  {
    title: "Store a credential",
    text: "Keys your nodes need (OpenAI, an HTTP token) are kept encrypted and never shown again.",
    href: "/credentials",
    action: "Add a credential",
  },
  {
    title: "Build a flow",
    text: "Drag nodes onto the canvas, connect them, and run it with test input while you build.",
    href: "/flows",
    action: "Create a flow",
  },
  {
    title: "Publish and deploy",
    text: "Publishing freezes a version; deploying it gives the flow a typed REST endpoint.",
    href: "/deployments",
    action: "See deployments",
  },
  {
    title: "Call it from your code",
    text: "Create an API key and start runs with curl, openapi-fetch or @runnel/client.",
    href: "/settings/api-keys",
    action: "Create an API key",
  },
];

export default async function DashboardPage() {
  const me = await requireMe();
  const caller = await requireCaller();
  const [members, keys, credentials, flows, runs, approvals] = await Promise.all([
    caller.orgs.members(),
    caller.apiKeys.list(),
    caller.credentials.list(),
    caller.flows.list({ limit: 1 }),
    caller.runs.list({ limit: 5 }),
    caller.approvals.pending(),
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
  const hasFlows = flows.items.length > 0;

  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Welcome, {me.user.name ?? me.user.email}</h1>
        <p className="flex items-center gap-2 text-sm text-fg-muted">
          You are working in <span className="font-medium text-fg">{me.activeOrg.name}</span>
          <Badge>{me.activeOrg.role}</Badge>
        </p>
      </div>

      {hasFlows ? null : (
        <Card aria-labelledby="first-steps">
          <CardHeader>
            <CardTitle id="first-steps">Get started</CardTitle>
            <CardDescription>
              Four steps from nothing to a flow your own code can call.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <ol className="grid gap-4 sm:grid-cols-2">
              {firstSteps.map((step, index) => (
                <li key={step.title} className="flex gap-3">
                  <span
                    aria-hidden="true"
                    className="flex size-7 shrink-0 items-center justify-center rounded-full bg-primary text-sm font-semibold text-primary-fg"
                  >
                    {index + 1}
                  </span>
                  <div className="flex flex-col gap-1">
                    <p className="font-medium">{step.title}</p>
                    <p className="text-sm text-fg-muted">{step.text}</p>
                    <Link
                      href={step.href}
                      className="text-sm font-medium text-link underline underline-offset-2"
                    >
                      {step.action}
                    </Link>
                  </div>
                </li>
              ))}
            </ol>
          </CardContent>
        </Card>
      )}

      <div className="grid gap-4 md:grid-cols-2">
        <Card aria-labelledby="recent-runs">
          <CardHeader>
            <CardTitle id="recent-runs">Recent runs</CardTitle>
          </CardHeader>
          <CardContent>
            {runs.items.length === 0 ? (
              <EmptyState
                icon={Play}
                title="No runs yet"
                description="Runs appear here when you run a flow, call its endpoint, or a webhook or schedule fires."
              />
            ) : (
              <ul className="flex flex-col divide-y divide-border">
                {runs.items.map((run) => (
                  <li key={run.id} className="flex items-center justify-between gap-2 py-2 text-sm">
                    <Link
                      href={`/runs/${run.id}`}
                      className="min-w-0 truncate text-link underline underline-offset-2"
                    >
                      {run.flowName}
                      {run.version ? ` v${run.version}` : " (test)"}
                    </Link>
                    <span className="flex shrink-0 items-center gap-2">
                      <span className="text-xs text-fg-muted">{formatDateTime(run.createdAt)}</span>
                      <Badge variant={runStatusBadge[run.status] ?? "neutral"}>{run.status}</Badge>
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <Link
              href="/runs"
              className="mt-3 inline-block text-sm font-medium text-link underline underline-offset-2"
            >
              All runs
            </Link>
          </CardContent>
        </Card>
        <Card aria-labelledby="pending-approvals">
          <CardHeader>
            <CardTitle id="pending-approvals">Pending approvals</CardTitle>
            <CardDescription>
              {approvals.length === 0
                ? "Nothing is waiting for a decision."
                : `${approvals.length} waiting for a decision.`}
            </CardDescription>
          </CardHeader>
          <CardContent>
            {approvals.length > 0 ? (
              <ul className="flex flex-col divide-y divide-border">
                {approvals.slice(0, 5).map((approval) => (
                  <li
                    key={approval.id}
                    className="flex items-center justify-between gap-2 py-2 text-sm"
                  >
                    <span className="min-w-0 truncate">
                      {approval.message || "Approval"}{" "}
                      <span className="text-fg-muted">· {approval.flowName}</span>
                    </span>
                    {approval.assignedToMe ? <Badge variant="primary">For you</Badge> : null}
                  </li>
                ))}
              </ul>
            ) : (
              <CircleCheckBig aria-hidden="true" className="size-8 text-fg-muted" />
            )}
            <Link
              href="/approvals"
              className="mt-3 inline-block text-sm font-medium text-link underline underline-offset-2"
            >
              Open approvals
            </Link>
          </CardContent>
        </Card>
      </div>

      <nav aria-label="Quick links">
        <ul className="flex flex-wrap gap-2">
          {quickLinks.map(({ href, label, icon: Icon }) => (
            <li key={href}>
              <Button asChild variant="secondary">
                <Link href={href}>
                  <Icon aria-hidden="true" />
                  {label}
                </Link>
              </Button>
            </li>
          ))}
        </ul>
      </nav>

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
    </div>
  );
}
