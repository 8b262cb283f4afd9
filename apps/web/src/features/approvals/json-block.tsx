/** Pretty-printed JSON in a scrollable, keyboard-focusable block. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <pre
      tabIndex={0}
      aria-label={label}
      className="max-h-64 overflow-auto rounded-md border border-border bg-surface-muted p-3 font-mono text-xs"
    >
      {JSON.stringify(value, null, 2) ?? "undefined"}
    </pre>
  );
}
