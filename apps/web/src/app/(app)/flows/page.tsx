import type { Metadata } from "next";

import { FlowsView } from "./flows-view";

export const metadata: Metadata = { title: "Flows" };

export default function FlowsPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Flows</h1>
      <FlowsView />
    </div>
  );
}
