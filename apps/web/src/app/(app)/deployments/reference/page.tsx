import type { Metadata } from "next";
import Link from "next/link";

import { ApiReference } from "~/features/deployments/api-reference";

export const metadata: Metadata = { title: "API reference" };

export default function ApiReferencePage() {
  return (
    <div className="flex max-w-5xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <p className="text-sm">
          <Link href="/deployments" className="text-link underline underline-offset-2">
            Deployments
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">API reference</h1>
        <p className="text-sm text-fg-muted">
          This organization&apos;s REST API, generated from its OpenAPI 3.1 document (also served to
          API keys at <code className="font-mono">/api/v1/openapi.json</code>): one operation per
          enabled deployment, typed by its flow&apos;s input schema, and the run and approval
          operations.
        </p>
      </div>
      <ApiReference />
    </div>
  );
}
