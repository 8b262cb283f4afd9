import type { Metadata } from "next";

import { ApprovalsView } from "~/features/approvals/approvals-view";

export const metadata: Metadata = { title: "Approvals" };

export default function ApprovalsPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Approvals</h1>
        <p className="text-sm text-fg-muted">
          Runs paused at an Approval node wait here until someone approves or rejects them.
        </p>
      </div>
      <ApprovalsView />
    </div>
  );
}
