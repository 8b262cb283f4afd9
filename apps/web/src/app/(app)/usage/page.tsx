import type { Metadata } from "next";

import { UsageView } from "~/features/usage/usage-view";

export const metadata: Metadata = { title: "Usage" };

export default function UsagePage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Usage</h1>
        <p className="text-sm text-fg-muted">
          Runs and tokens of this organization per day, counted on the day each run started.
        </p>
      </div>
      <UsageView />
    </div>
  );
}
