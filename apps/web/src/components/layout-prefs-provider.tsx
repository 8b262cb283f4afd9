"use client";

import type { ReactNode } from "react";
import { usePathname } from "next/navigation";
import { createContext, useCallback, useContext, useMemo, useState } from "react";

import type { LayoutChoices } from "./layout-prefs";
import { choiceCookie, PALETTE_COOKIE, SIDEBAR_COOKIE, sidebarCollapsed } from "./layout-prefs";

interface LayoutPrefs {
  choices: LayoutChoices;
  setSidebarCollapsed: (collapsed: boolean) => void;
  setPaletteShown: (shown: boolean) => void;
}

const LayoutPrefsContext = createContext<LayoutPrefs | null>(null);

function store(name: string, value: string): void {
  // Read by the server layout on the next request, so a reload renders the same layout at once.
  document.cookie = choiceCookie(name, value);
}

/**
 * Holds the layout choices for the app shell. It sits in the (app) layout, which stays mounted across client
 * navigations, so a choice made in one editor still holds in the next page without a reload.
 */
export function LayoutPrefsProvider({
  initial,
  children,
}: {
  initial: LayoutChoices;
  children: ReactNode;
}) {
  const [choices, setChoices] = useState(initial);
  const setSidebarCollapsed = useCallback((collapsed: boolean) => {
    const sidebar = collapsed ? "collapsed" : "expanded";
    store(SIDEBAR_COOKIE, sidebar);
    setChoices((previous) => ({ ...previous, sidebar }));
  }, []);
  const setPaletteShown = useCallback((shown: boolean) => {
    const palette = shown ? "shown" : "hidden";
    store(PALETTE_COOKIE, palette);
    setChoices((previous) => ({ ...previous, palette }));
  }, []);
  const value = useMemo(
    () => ({ choices, setSidebarCollapsed, setPaletteShown }),
    [choices, setSidebarCollapsed, setPaletteShown],
  );
  return <LayoutPrefsContext.Provider value={value}>{children}</LayoutPrefsContext.Provider>;
}

function useLayoutPrefs(): LayoutPrefs {
  const prefs = useContext(LayoutPrefsContext);
  if (!prefs)
    throw new Error("useLayoutPrefs needs a LayoutPrefsProvider (the app shell) above it");
  return prefs;
}

/** Whether the app sidebar is the icon rail here: the user's choice, else the route's default. */
export function useSidebarCollapsed(): [boolean, (collapsed: boolean) => void] {
  const { choices, setSidebarCollapsed } = useLayoutPrefs();
  const pathname = usePathname();
  return [sidebarCollapsed(choices.sidebar, pathname), setSidebarCollapsed];
}

/** Whether the flow editor shows its node palette (default: shown). */
export function usePaletteShown(): [boolean, (shown: boolean) => void] {
  const { choices, setPaletteShown } = useLayoutPrefs();
  return [choices.palette !== "hidden", setPaletteShown];
}
