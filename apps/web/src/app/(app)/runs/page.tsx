import type { Metadata } from "next";
import { Suspense } from "react";

import { RunsView } from "~/features/runs/runs-view";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <div className="flex max-w-6xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Runs</h1>
      <Suspense fallback={<p className="text-sm text-fg-muted">Loading runs…</p>}>
        <RunsView />
      </Suspense>
    </div>
  );
}
