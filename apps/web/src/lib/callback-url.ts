/**
 * Where to go after signing in: only a path on this site ("/invite/abc"), never another origin
 * ("//evil.example", "https://…", "/\\evil"). Anything else falls back to the dashboard.
 */
export function safeCallbackUrl(value: string | null | undefined): string {
  if (!value) return "/";
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  return value;
}
