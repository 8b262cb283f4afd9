import type { Metadata } from "next";
import { Workflow } from "lucide-react";

import { EmptyState } from "@runnel/ui";

export const metadata: Metadata = { title: "Flows" };

export default function FlowsPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Flows</h1>
      <EmptyState
        icon={Workflow}
        title="Coming in a later release"
        description="Draw flows of nodes on a canvas, publish versions and deploy them as REST endpoints."
      />
    </div>
  );
}
