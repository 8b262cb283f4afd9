"use client";

import { Button } from "@runnel/ui";

import type { OAuthProvider } from "~/server/providers";

const labels: Record<OAuthProvider, string> = {
  github: "Continue with GitHub",
  google: "Continue with Google",
};

export function OAuthButtons({
  providers,
  onChoose,
}: {
  providers: OAuthProvider[];
  onChoose: (provider: OAuthProvider) => Promise<void>;
}) {
  if (providers.length === 0) return null;
  return (
    <div className="flex flex-col gap-2 border-t border-border pt-4">
      {providers.map((provider) => (
        <Button key={provider} variant="secondary" onClick={() => onChoose(provider)}>
          {labels[provider]}
        </Button>
      ))}
    </div>
  );
}
