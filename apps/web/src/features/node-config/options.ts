/** Suggestions containing the typed text (case-insensitive), the exact match first. */
export function filterOptions(options: readonly string[], typed: string): string[] {
  const needle = typed.trim().toLowerCase();
  if (needle === "") return [...options];
  const matches = options.filter((option) => option.toLowerCase().includes(needle));
  return matches.sort(
    (a, b) => Number(b.toLowerCase() === needle) - Number(a.toLowerCase() === needle),
  );
}
