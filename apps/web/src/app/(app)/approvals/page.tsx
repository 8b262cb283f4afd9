import type { Metadata } from "next";
import { CircleCheckBig } from "lucide-react";

import { EmptyState } from "@runnel/ui";

export const metadata: Metadata = { title: "Approvals" };

export default function ApprovalsPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Approvals</h1>
      <EmptyState
        icon={CircleCheckBig}
        title="Coming in a later release"
        description="Human-in-the-loop requests waiting for a decision."
      />
    </div>
  );
}
