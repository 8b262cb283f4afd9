import type { Metadata } from "next";
import { Play } from "lucide-react";

import { EmptyState } from "@runnel/ui";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Runs</h1>
      <EmptyState
        icon={Play}
        title="Coming in a later release"
        description="Every run of a flow, its steps and their outputs, streamed live."
      />
    </div>
  );
}
