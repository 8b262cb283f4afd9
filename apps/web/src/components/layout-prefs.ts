/**
 * Layout preferences that change what the server renders: the app sidebar (full or icon rail) and the editor's node
 * palette (shown or hidden). They live in cookies, not localStorage, so the server layout reads them and the first
 * paint already has the stored layout (no flash, no hydration mismatch). Only an explicit choice is stored; without
 * one the sidebar follows the route (a rail on the flow editor, full elsewhere) and the palette is shown.
 */
export type SidebarChoice = "collapsed" | "expanded";
export type PaletteChoice = "shown" | "hidden";

export const SIDEBAR_COOKIE = "runnel_sidebar";
export const PALETTE_COOKIE = "runnel_palette";

/** A year: the choice outlives sessions, like the theme. */
const MAX_AGE_SECONDS = 60 * 60 * 24 * 365;

export interface LayoutChoices {
  sidebar: SidebarChoice | null;
  palette: PaletteChoice | null;
}

/** Reads the stored choices from cookie values; anything unexpected counts as no choice. */
export function parseLayoutChoices(get: (name: string) => string | undefined): LayoutChoices {
  const sidebar = get(SIDEBAR_COOKIE);
  const palette = get(PALETTE_COOKIE);
  return {
    sidebar: sidebar === "collapsed" || sidebar === "expanded" ? sidebar : null,
    palette: palette === "shown" || palette === "hidden" ? palette : null,
  };
}

/** The flow editor itself (`/flows/<id>`), where the canvas needs the width; not its versions page. */
export function isEditorRoute(pathname: string): boolean {
  return /^\/flows\/[^/]+\/?$/.test(pathname);
}

export function sidebarCollapsed(choice: SidebarChoice | null, pathname: string): boolean {
  return choice === null ? isEditorRoute(pathname) : choice === "collapsed";
}

/** A `document.cookie` assignment storing one choice for the whole site. */
export function choiceCookie(name: string, value: string): string {
  return `${name}=${value}; Path=/; Max-Age=${MAX_AGE_SECONDS}; SameSite=Lax`;
}
