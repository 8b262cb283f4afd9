"use client";

import type { DragEvent } from "react";
import { memo, useId, useMemo, useState } from "react";

import type { CatalogueEntry } from "@runnel/nodes";
import { Input } from "@runnel/ui";

import { PALETTE_MIME } from "./flow-canvas";
import { NodeIcon } from "./node-icon";

const CATEGORY_LABEL: Record<string, string> = {
  trigger: "Triggers",
  flow: "Flow control",
  data: "Data",
  human: "Human in the loop",
  ai: "AI",
  integration: "Integrations",
};
const CATEGORY_ORDER = Object.keys(CATEGORY_LABEL);

/** Latest version of each node type, grouped by category, filtered by a search over label, type and description. */
export function paletteGroups(
  entries: readonly CatalogueEntry[],
  search: string,
): { category: string; label: string; entries: CatalogueEntry[] }[] {
  const latest = new Map<string, CatalogueEntry>();
  for (const entry of entries) {
    const current = latest.get(entry.type);
    if (!current || current.version < entry.version) latest.set(entry.type, entry);
  }
  const needle = search.trim().toLowerCase();
  const matches = [...latest.values()].filter(
    (e) =>
      !needle ||
      e.ui.label.toLowerCase().includes(needle) ||
      e.type.includes(needle) ||
      e.ui.description.toLowerCase().includes(needle),
  );
  const categories = [...new Set(matches.map((e) => e.ui.category))].sort(
    (a, b) => rank(a) - rank(b),
  );
  return categories.map((category) => ({
    category,
    label: CATEGORY_LABEL[category] ?? category,
    entries: matches.filter((e) => e.ui.category === category),
  }));
}

function rank(category: string): number {
  const i = CATEGORY_ORDER.indexOf(category);
  return i === -1 ? CATEGORY_ORDER.length : i;
}

function onDragStart(event: DragEvent<HTMLButtonElement>, entry: CatalogueEntry) {
  event.dataTransfer.setData(PALETTE_MIME, `${entry.type}@${entry.version}`);
  event.dataTransfer.effectAllowed = "copy";
}

/** Node types to add: drag one onto the canvas, or click it (Enter) to add it in the middle of the view. */
export const Palette = memo(function Palette({
  entries,
  onAdd,
  disabled,
}: {
  entries: readonly CatalogueEntry[];
  onAdd: (entry: CatalogueEntry) => void;
  disabled?: boolean;
}) {
  const [search, setSearch] = useState("");
  const searchId = useId();
  const groups = useMemo(() => paletteGroups(entries, search), [entries, search]);
  return (
    <nav aria-label="Node palette" className="flex min-h-0 flex-col gap-3">
      <label htmlFor={searchId} className="sr-only">
        Search nodes
      </label>
      <Input
        id={searchId}
        type="search"
        placeholder="Search nodes…"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto pr-1">
        {groups.length === 0 ? (
          <p className="text-sm text-fg-muted">No node matches “{search}”.</p>
        ) : null}
        {groups.map((group) => (
          <section key={group.category} aria-labelledby={`${searchId}-${group.category}`}>
            <h3
              id={`${searchId}-${group.category}`}
              className="mb-1 text-xs font-semibold tracking-wide text-fg-muted uppercase"
            >
              {group.label}
            </h3>
            <ul className="flex flex-col gap-1">
              {group.entries.map((entry) => (
                <li key={entry.type}>
                  <button
                    type="button"
                    draggable={!disabled}
                    disabled={disabled}
                    onDragStart={(event) => onDragStart(event, entry)}
                    onClick={() => onAdd(entry)}
                    title={entry.ui.description}
                    className="flex w-full cursor-grab items-center gap-2 rounded-md border border-transparent px-2 py-1.5 text-left text-sm hover:border-border hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-ring disabled:cursor-not-allowed disabled:opacity-50"
                  >
                    <NodeIcon name={entry.ui.icon} className="size-4 shrink-0 text-fg-muted" />
                    <span className="truncate">{entry.ui.label}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </nav>
  );
});
