import type { Metadata } from "next";

import { DeploymentsView } from "~/features/deployments/deployments-view";

export const metadata: Metadata = { title: "Deployments" };

export default function DeploymentsPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Deployments</h1>
        <p className="text-sm text-fg-muted">
          Each deployed flow has a REST endpoint that starts a run of the version it is pinned to.
          Call it with an API key of this organization.
        </p>
      </div>
      <DeploymentsView />
    </div>
  );
}
