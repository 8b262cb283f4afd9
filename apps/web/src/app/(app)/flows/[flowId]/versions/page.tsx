import type { Metadata } from "next";

import { VersionsView } from "~/features/versions/versions-view";

export const metadata: Metadata = { title: "Versions" };

export default async function FlowVersionsPage({
  params,
}: {
  params: Promise<{ flowId: string }>;
}) {
  const { flowId } = await params;
  return (
    <div className="flex max-w-7xl flex-col gap-6">
      <VersionsView flowId={flowId} />
    </div>
  );
}
