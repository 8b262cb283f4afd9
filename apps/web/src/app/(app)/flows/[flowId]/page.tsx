import type { Metadata } from "next";

import { EditorView } from "~/features/editor/editor-view";
import { requireCaller, requireMe } from "~/server/caller";

export const metadata: Metadata = { title: "Flow editor" };

/**
 * The editor cannot draw anything before it has the flow and the node catalogue, so they are read while the page
 * renders rather than requested after hydration (bench/canvas.ts). A flow that cannot be read here (missing,
 * another org's, a malformed id) is left to the client, which shows the API's error.
 */
export default async function FlowEditorPage({ params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  const [me, caller] = await Promise.all([requireMe(), requireCaller()]);
  const [flow, catalogue] = await Promise.all([
    caller.flows.get({ id: flowId }).catch(() => undefined),
    caller.nodes.catalogue(),
  ]);
  return <EditorView flowId={flowId} initial={{ me, flow, catalogue }} />;
}
