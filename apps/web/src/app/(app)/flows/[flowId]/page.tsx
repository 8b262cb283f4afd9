import type { Metadata } from "next";

import { EditorView } from "~/features/editor/editor-view";

export const metadata: Metadata = { title: "Flow editor" };

export default async function FlowEditorPage({ params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  return <EditorView flowId={flowId} />;
}
