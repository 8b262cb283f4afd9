"use client";

import { Plus, Trash2 } from "lucide-react";
import { useState } from "react";

import { Button, Input } from "@runnel/ui";

import type { UpstreamNode } from "./types";
import { ExpressionInput } from "./expression-input";

interface Row {
  key: string;
  value: string;
}

function rowsOf(record: Record<string, unknown>): Row[] {
  return Object.entries(record).map(([key, value]) => ({
    key,
    value: typeof value === "string" ? value : JSON.stringify(value),
  }));
}

/** Rows to an object; rows without a name are kept in the editor only (the last of duplicate names wins). */
export function recordOf(rows: readonly Row[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) if (row.key.trim() !== "") out[row.key.trim()] = row.value;
  return out;
}

/** Name/value pairs (HTTP headers, query parameters, form fields); values accept expressions. */
export function KeyValueEditor({
  label,
  value,
  onValueChange,
  upstream,
  variables,
  readOnly,
}: {
  label: string;
  value: Record<string, unknown>;
  onValueChange: (value: Record<string, string>) => void;
  upstream: readonly UpstreamNode[];
  variables: readonly string[];
  readOnly: boolean;
}) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(value));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (JSON.stringify(recordOf(rows)) !== JSON.stringify(value)) setRows(rowsOf(value));
  }
  const update = (next: Row[]) => {
    setRows(next);
    const record = recordOf(next);
    setSeen(record);
    onValueChange(record);
  };
  const noun = label.toLowerCase();
  return (
    <div className="flex flex-col gap-2">
      {rows.length === 0 ? <p className="text-xs text-fg-muted">None.</p> : null}
      {rows.map((row, index) => (
        <div key={index} className="grid grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto] gap-2">
          <Input
            aria-label={`${label}: name ${index + 1}`}
            placeholder="Name"
            value={row.key}
            disabled={readOnly}
            autoComplete="off"
            onChange={(event) =>
              update(rows.map((r, i) => (i === index ? { ...r, key: event.target.value } : r)))
            }
          />
          <ExpressionInput
            aria-label={`${label}: value ${index + 1}`}
            placeholder="Value"
            value={row.value}
            upstream={upstream}
            variables={variables}
            disabled={readOnly}
            onValueChange={(text) =>
              update(rows.map((r, i) => (i === index ? { ...r, value: text } : r)))
            }
          />
          {readOnly ? (
            <span />
          ) : (
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Remove ${noun} ${index + 1}`}
              onClick={() => update(rows.filter((_, i) => i !== index))}
            >
              <Trash2 aria-hidden="true" />
            </Button>
          )}
        </div>
      ))}
      {readOnly ? null : (
        <Button
          variant="secondary"
          size="sm"
          className="self-start"
          onClick={() => setRows([...rows, { key: "", value: "" }])}
        >
          <Plus aria-hidden="true" />
          Add to {noun}
        </Button>
      )}
    </div>
  );
}
