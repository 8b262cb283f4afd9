"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";

import { Button, Input } from "@runnel/ui";

/** A read-only value (a new API key, an invite link) with a copy button. */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex items-center gap-2">
      <Input
        id={id}
        aria-label={label}
        readOnly
        value={value}
        className="font-mono"
        onFocus={(e) => e.currentTarget.select()}
      />
      <Button
        variant="secondary"
        size="icon"
        aria-label={copied ? `${label} copied` : `Copy ${label.toLowerCase()}`}
        onClick={() => {
          void navigator.clipboard.writeText(value).then(() => setCopied(true));
        }}
      >
        {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
      </Button>
    </div>
  );
}
