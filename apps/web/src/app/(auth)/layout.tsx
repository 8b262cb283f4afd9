import type { ReactNode } from "react";
import { Workflow } from "lucide-react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 bg-surface-muted p-4">
      <p className="flex items-center gap-2 text-lg font-semibold">
        <Workflow aria-hidden="true" className="size-5 text-link" />
        Runnel
      </p>
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}
