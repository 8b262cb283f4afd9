/** "850 ms", "2.4 s", "3 min 5 s", "2 h 4 min"; "—" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
  const minutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "1,234 in / 56 out", or null when the step used no tokens. */
export function formatTokens(tokensIn: number, tokensOut: number): string | null {
  if (!tokensIn && !tokensOut) return null;
  return `${tokensIn.toLocaleString("en-US")} in / ${tokensOut.toLocaleString("en-US")} out`;
}

/**
 * "$1.24", "$0.0045", "< $0.0001"; null when nothing was spent (no model call, or unpriced models such as a
 * local Ollama one, docs/ai.md).
 */
export function formatCost(usd: number): string | null {
  if (!(usd > 0)) return null;
  if (usd < 0.0001) return "< $0.0001";
  if (usd < 0.01) return `$${Number(usd.toPrecision(2))}`;
  return `$${usd.toFixed(2)}`;
}

/** Human size of a byte count: "300 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
