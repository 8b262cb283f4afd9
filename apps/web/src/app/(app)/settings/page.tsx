import type { Metadata } from "next";

import { Badge, Card, CardContent, CardDescription, CardHeader, CardTitle } from "@runnel/ui";

import { CreateOrgButton } from "~/components/org-switcher";
import { atLeast } from "~/lib/roles";
import { requireMe } from "~/server/caller";
import { RenameOrg } from "./rename-org";

export const metadata: Metadata = { title: "Organization settings" };

export default async function SettingsPage() {
  const me = await requireMe();
  const { activeOrg } = me;
  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle>{activeOrg.name}</CardTitle>
          <CardDescription>The organization you are working in.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-fg-muted">Slug</dt>
            <dd className="font-mono">{activeOrg.slug}</dd>
            <dt className="text-fg-muted">Your role</dt>
            <dd>
              <Badge>{activeOrg.role}</Badge>
            </dd>
            <dt className="text-fg-muted">Organization id</dt>
            <dd className="font-mono">{activeOrg.id}</dd>
          </dl>
          {atLeast(activeOrg.role, "admin") ? <RenameOrg name={activeOrg.name} /> : null}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Your organizations</CardTitle>
          <CardDescription>
            Switch between them with the organization menu in the sidebar.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <ul className="flex flex-col gap-1 text-sm">
            {me.orgs.map((org) => (
              <li key={org.id} className="flex items-center gap-2">
                {org.name} <Badge>{org.role}</Badge>
              </li>
            ))}
          </ul>
          <div>
            <CreateOrgButton />
          </div>
        </CardContent>
      </Card>
    </>
  );
}
