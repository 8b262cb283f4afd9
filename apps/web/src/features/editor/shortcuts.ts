/** The editor's keyboard shortcuts, as listed in the help popover and docs/app.md. */
export const SHORTCUTS: readonly { keys: string; action: string }[] = [
  { keys: "Ctrl+S", action: "Save the draft now" },
  { keys: "Ctrl+Z", action: "Undo" },
  { keys: "Ctrl+Shift+Z / Ctrl+Y", action: "Redo" },
  { keys: "Ctrl+C / Ctrl+V", action: "Copy / paste the selected nodes" },
  { keys: "Ctrl+A", action: "Select every node" },
  { keys: "Delete / Backspace", action: "Delete the selection" },
  { keys: "Shift+click", action: "Add a node to the selection" },
  { keys: "Shift+drag", action: "Select with a box" },
  { keys: "Escape", action: "Clear the selection" },
  { keys: "Enter on a palette item", action: "Add it in the middle of the view" },
];

/** Whether a key event happens while typing (inputs keep their own undo, copy and paste). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === "INPUT" ||
    target.tagName === "TEXTAREA" ||
    target.tagName === "SELECT" ||
    target.closest("[role=dialog]") !== null
  );
}

export type ShortcutAction = "save" | "undo" | "redo" | "copy" | "paste" | "selectAll" | "deselect";

/** The editor action a key press asks for, or null. Ctrl and ⌘ are the same. */
export function shortcutOf(event: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}): ShortcutAction | null {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (event.altKey) return null;
  if (!mod) return key === "escape" ? "deselect" : null;
  if (key === "s") return "save";
  if (key === "z") return event.shiftKey ? "redo" : "undo";
  if (key === "y") return "redo";
  if (key === "c" && !event.shiftKey) return "copy";
  if (key === "v" && !event.shiftKey) return "paste";
  if (key === "a" && !event.shiftKey) return "selectAll";
  return null;
}
