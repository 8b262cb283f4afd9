import type { Metadata } from "next";

import { CredentialsView } from "./credentials-view";

export const metadata: Metadata = { title: "Credentials" };

export default function CredentialsPage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Credentials</h1>
      <CredentialsView />
    </div>
  );
}
