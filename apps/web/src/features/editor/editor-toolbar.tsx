"use client";

import type { ReactNode } from "react";
import {
  History,
  Keyboard,
  LayoutDashboard,
  Maximize,
  PanelLeftClose,
  PanelLeftOpen,
  Redo2,
  Save,
  Undo2,
} from "lucide-react";
import Link from "next/link";

import { Button, buttonVariants, Popover, PopoverContent, PopoverTrigger } from "@runnel/ui";

import type { SaveState } from "./use-autosave";
import { SHORTCUTS } from "./shortcuts";

const SAVE_TEXT: Record<SaveState["kind"], string> = {
  saved: "All changes saved",
  unsaved: "Unsaved changes",
  saving: "Saving…",
  failed: "Save failed",
};

export function SaveIndicator({ state }: { state: SaveState }) {
  return (
    <span
      role="status"
      data-save-state={state.kind}
      title={state.kind === "failed" ? state.message : undefined}
      className={
        state.kind === "failed"
          ? "text-sm text-danger"
          : state.kind === "unsaved"
            ? "text-sm text-warning"
            : "text-sm text-fg-muted"
      }
    >
      {state.kind === "unsaved" ? <span aria-hidden="true">● </span> : null}
      {SAVE_TEXT[state.kind]}
      {state.kind === "failed" ? `: ${state.message}` : null}
    </span>
  );
}

export function ShortcutsHelp() {
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="ghost" size="sm" aria-label="Keyboard shortcuts">
          <Keyboard aria-hidden="true" />
        </Button>
      </PopoverTrigger>
      <PopoverContent aria-label="Keyboard shortcuts" className="w-96">
        <h2 className="mb-2 text-sm font-semibold">Keyboard shortcuts</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {SHORTCUTS.map((s) => (
            <div key={s.keys} className="contents">
              <dt>
                <kbd className="rounded border border-border bg-surface-muted px-1 font-mono text-xs">
                  {s.keys}
                </kbd>
              </dt>
              <dd className="text-fg-muted">{s.action}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-2 text-xs text-fg-muted">On a Mac, ⌘ works wherever Ctrl is listed.</p>
      </PopoverContent>
    </Popover>
  );
}

/** Shows or hides the node palette (`controls` is the palette's id); the canvas takes the space. */
export function PaletteToggle({
  shown,
  controls,
  onToggle,
}: {
  shown: boolean;
  controls: string;
  onToggle: () => void;
}) {
  const label = shown ? "Hide node palette" : "Show node palette";
  return (
    <Button
      variant="ghost"
      size="sm"
      onClick={onToggle}
      aria-label={label}
      aria-expanded={shown}
      aria-controls={controls}
      title={label}
    >
      {shown ? <PanelLeftClose aria-hidden="true" /> : <PanelLeftOpen aria-hidden="true" />}
    </Button>
  );
}

export function EditorToolbar({
  flowId,
  readOnly,
  saveState,
  canUndo,
  canRedo,
  onSave,
  onUndo,
  onRedo,
  onLayout,
  onFit,
  palette,
  publish,
  run,
}: {
  flowId: string;
  readOnly: boolean;
  saveState: SaveState;
  canUndo: boolean;
  canRedo: boolean;
  onSave: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onFit: () => void;
  /** The palette toggle (editors only). */
  palette?: ReactNode;
  /** Slots: the publish dialog and the run controls. */
  publish?: ReactNode;
  run?: ReactNode;
}) {
  return (
    <div role="toolbar" aria-label="Editor" className="flex flex-wrap items-center gap-1">
      {readOnly ? null : (
        <>
          {palette}
          <Button
            variant="secondary"
            size="sm"
            onClick={onSave}
            disabled={saveState.kind === "saved" || saveState.kind === "saving"}
            title="Save (Ctrl+S)"
          >
            <Save aria-hidden="true" />
            Save
          </Button>
          <Button
            variant="ghost"
            size="sm"
            onClick={onUndo}
            disabled={!canUndo}
            aria-label="Undo"
            title="Undo (Ctrl+Z)"
          >
            <Undo2 aria-hidden="true" />
          </Button>
          <Button
            variant="ghost"
            size="sm"
            onClick={onRedo}
            disabled={!canRedo}
            aria-label="Redo"
            title="Redo (Ctrl+Shift+Z)"
          >
            <Redo2 aria-hidden="true" />
          </Button>
          <Button
            variant="ghost"
            size="sm"
            onClick={onLayout}
            aria-label="Auto layout"
            title="Auto layout (left to right)"
          >
            <LayoutDashboard aria-hidden="true" />
          </Button>
        </>
      )}
      <Button
        variant="ghost"
        size="sm"
        onClick={onFit}
        aria-label="Zoom to fit"
        title="Zoom to fit"
      >
        <Maximize aria-hidden="true" />
      </Button>
      <ShortcutsHelp />
      <Link
        href={`/flows/${flowId}/versions`}
        className={buttonVariants({ variant: "ghost", size: "sm" })}
      >
        <History aria-hidden="true" />
        Versions
      </Link>
      {run}
      {publish}
    </div>
  );
}
