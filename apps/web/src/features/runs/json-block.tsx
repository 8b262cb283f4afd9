"use client";

import type { Props as JsonViewProps } from "react-json-view-lite";
import { Check, ChevronsDownUp, ChevronsUpDown, Copy } from "lucide-react";
import { useState } from "react";
import { allExpanded, JsonView } from "react-json-view-lite";

import { Button } from "@runnel/ui";

import { formatBytes } from "./format";

/** react-json-view-lite rendered with the design system's colours (light and dark follow the CSS variables). */
const jsonStyles: NonNullable<JsonViewProps["style"]> = {
  container: "font-mono text-xs leading-5 whitespace-pre-wrap break-words",
  basicChildStyle: "ml-4",
  childFieldsContainer: "m-0 p-0",
  label: "mr-1 font-semibold text-fg",
  clickableLabel: "mr-1 cursor-pointer font-semibold text-fg",
  nullValue: "text-fg-muted",
  undefinedValue: "text-fg-muted",
  numberValue: "text-link",
  stringValue: "text-success",
  booleanValue: "text-primary",
  otherValue: "text-fg",
  punctuation: "text-fg-muted",
  expandIcon: "mr-1 cursor-pointer select-none text-fg-muted after:content-['▸']",
  collapseIcon: "mr-1 cursor-pointer select-none text-fg-muted after:content-['▾']",
  collapsedContent: "mr-1 text-fg-muted after:content-['…']",
  noQuotesForStringValues: false,
  quotesForFieldNames: true,
  ariaLables: { collapseJson: "Collapse", expandJson: "Expand" },
  stringifyStringValues: true,
};

const firstLevels = (level: number) => level < 2;

function toText(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export interface JsonBlockProps {
  /** Names the value for screen readers and the buttons: "Input of fetch_page". */
  label: string;
  value: unknown;
  /** Set when the value was too large for the live stream; it is loaded when the run finishes. */
  omittedBytes?: number | undefined;
  empty?: string;
}

/** A JSON value as a collapsible tree, with buttons to expand or collapse everything and to copy it. */
export function JsonBlock({ label, value, omittedBytes, empty = "No value" }: JsonBlockProps) {
  const [expanded, setExpanded] = useState(false);
  const [copied, setCopied] = useState(false);

  if (omittedBytes !== undefined && value === undefined) {
    return (
      <p className="text-sm text-fg-muted">
        {formatBytes(omittedBytes)} value, shown when the run finishes.
      </p>
    );
  }
  if (value === undefined) return <p className="text-sm text-fg-muted">{empty}</p>;

  const isTree = typeof value === "object" && value !== null;
  return (
    <div className="relative rounded-md border border-border bg-surface-muted p-2">
      <div className="absolute top-1 right-1 flex gap-1">
        {isTree ? (
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            aria-label={expanded ? `Collapse ${label}` : `Expand all of ${label}`}
            onClick={() => setExpanded((e) => !e)}
          >
            {expanded ? (
              <ChevronsDownUp aria-hidden="true" />
            ) : (
              <ChevronsUpDown aria-hidden="true" />
            )}
          </Button>
        ) : null}
        <Button
          variant="ghost"
          size="icon"
          className="size-7"
          aria-label={copied ? `${label} copied` : `Copy ${label}`}
          onClick={() => {
            void navigator.clipboard.writeText(toText(value)).then(() => setCopied(true));
          }}
        >
          {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        </Button>
      </div>
      {/* Focusable so the scrolled value can be read with the keyboard. */}
      <div className="max-h-80 overflow-auto pr-16" role="region" aria-label={label} tabIndex={0}>
        {isTree ? (
          <JsonView
            key={expanded ? "all" : "some"}
            data={value}
            style={jsonStyles}
            shouldExpandNode={expanded ? allExpanded : firstLevels}
          />
        ) : (
          <pre className="font-mono text-xs whitespace-pre-wrap break-words">
            {JSON.stringify(value)}
          </pre>
        )}
      </div>
    </div>
  );
}
