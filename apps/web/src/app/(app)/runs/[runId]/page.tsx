import type { Metadata } from "next";

import { RunDetailView } from "~/features/runs/run-detail-view";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  return (
    <div className="flex max-w-7xl flex-col gap-6">
      <RunDetailView runId={runId} />
    </div>
  );
}
