import type { Metadata } from "next";

import { TriggersView } from "~/features/triggers/triggers-view";

export const metadata: Metadata = { title: "Webhooks & schedules" };

export default function TriggersPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Webhooks &amp; schedules</h1>
        <p className="text-sm text-fg-muted">
          Published flows with a Webhook trigger get a URL that starts a run on each request;
          Schedule triggers start runs at the times their cron expression matches.
        </p>
      </div>
      <TriggersView />
    </div>
  );
}
