import { describe, expect, it } from "vitest";

import { shortcutOf } from "./shortcuts";

const press = (
  key: string,
  mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {},
) =>
  shortcutOf({
    key,
    ctrlKey: mods.ctrl ?? false,
    metaKey: mods.meta ?? false,
    shiftKey: mods.shift ?? false,
    altKey: mods.alt ?? false,
  });

describe("shortcutOf", () => {
  it("maps the documented shortcuts, Ctrl and ⌘ alike", () => {
    expect(press("s", { ctrl: true })).toBe("save");
    expect(press("z", { meta: true })).toBe("undo");
    expect(press("Z", { ctrl: true, shift: true })).toBe("redo");
    expect(press("y", { ctrl: true })).toBe("redo");
    expect(press("c", { ctrl: true })).toBe("copy");
    expect(press("v", { meta: true })).toBe("paste");
    expect(press("a", { ctrl: true })).toBe("selectAll");
    expect(press("Escape")).toBe("deselect");
  });

  it("ignores plain keys and other combinations", () => {
    expect(press("z")).toBeNull();
    expect(press("v", { ctrl: true, shift: true })).toBeNull();
    expect(press("z", { ctrl: true, alt: true })).toBeNull();
  });
});
