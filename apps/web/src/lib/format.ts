const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });

/** "Nov 22, 2026, 1:05 AM"; `fallback` for a missing date ("Never"). */
export function formatDateTime(value: Date | string | null | undefined, fallback = "—"): string {
  if (!value) return fallback;
  return dateTime.format(typeof value === "string" ? new Date(value) : value);
}
