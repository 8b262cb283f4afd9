import { describe, expect, it } from "vitest";

import {
  choiceCookie,
  isEditorRoute,
  PALETTE_COOKIE,
  parseLayoutChoices,
  SIDEBAR_COOKIE,
  sidebarCollapsed,
} from "./layout-prefs";

describe("layout preferences", () => {
  it("collapses the sidebar by default on the flow editor only", () => {
    expect(isEditorRoute("/flows/abc123")).toBe(true);
    expect(isEditorRoute("/flows/abc123/")).toBe(true);
    expect(isEditorRoute("/flows")).toBe(false);
    expect(isEditorRoute("/flows/abc123/versions")).toBe(false);
    expect(isEditorRoute("/runs/abc123")).toBe(false);
    expect(sidebarCollapsed(null, "/flows/abc123")).toBe(true);
    expect(sidebarCollapsed(null, "/flows/abc123/versions")).toBe(false);
    expect(sidebarCollapsed(null, "/")).toBe(false);
  });

  it("lets an explicit choice win over the route's default", () => {
    expect(sidebarCollapsed("expanded", "/flows/abc123")).toBe(false);
    expect(sidebarCollapsed("collapsed", "/runs")).toBe(true);
  });

  it("reads only known values from the cookies", () => {
    const jar: Record<string, string> = {
      [SIDEBAR_COOKIE]: "collapsed",
      [PALETTE_COOKIE]: "hidden",
    };
    expect(parseLayoutChoices((name) => jar[name])).toEqual({
      sidebar: "collapsed",
      palette: "hidden",
    });
    const odd: Record<string, string> = { [SIDEBAR_COOKIE]: "wide", [PALETTE_COOKIE]: "" };
    expect(parseLayoutChoices((name) => odd[name])).toEqual({ sidebar: null, palette: null });
    expect(parseLayoutChoices(() => undefined)).toEqual({ sidebar: null, palette: null });
  });

  it("stores a choice for the whole site for a year", () => {
    expect(choiceCookie(SIDEBAR_COOKIE, "expanded")).toBe(
      "runnel_sidebar=expanded; Path=/; Max-Age=31536000; SameSite=Lax",
    );
  });
});
