"use client";

import { useStoreApi } from "@xyflow/react";
import { useEffect, useRef } from "react";

/** Distance between dots in flow units (as React Flow's own dotted background). */
const GAP = 20;
/** Zoomed far out, every other dot is left out (repeatedly) so that dots stay at least this far apart on screen. */
const MIN_SCREEN_GAP = 12;

/** `value` modulo `divisor`, in [0, divisor). */
function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/**
 * The dotted canvas background. React Flow's `<Background>` redraws its SVG pattern on every pan frame; this one is
 * a CSS pattern on its own compositor layer that follows the viewport by a translation within one gap, so panning
 * repaints nothing and only a zoom (which changes the gap) redraws it. It updates from the store without rendering.
 */
export function CanvasBackground() {
  const pattern = useRef<HTMLDivElement>(null);
  const store = useStoreApi();

  useEffect(() => {
    let zoomShown = Number.NaN;
    const follow = () => {
      const element = pattern.current;
      if (!element) return;
      const [x, y, zoom] = store.getState().transform;
      let gap = GAP * zoom;
      while (gap < MIN_SCREEN_GAP) gap *= 2;
      if (zoom !== zoomShown) {
        zoomShown = zoom;
        element.style.width = `calc(100% + ${gap}px)`;
        element.style.height = `calc(100% + ${gap}px)`;
        element.style.backgroundSize = `${gap}px ${gap}px`;
        element.style.setProperty("--canvas-dot-radius", `${Math.min(1, Math.max(0.6, zoom))}px`);
      }
      // The dot sits in the middle of its tile: shift by half a gap so dots land on multiples of GAP in flow units.
      element.style.transform = `translate(${modulo(x + gap / 2, gap) - gap}px, ${modulo(y + gap / 2, gap) - gap}px)`;
    };
    follow();
    return store.subscribe(follow);
  }, [store]);

  return (
    <div
      className="react-flow__background react-flow__container overflow-hidden"
      aria-hidden="true"
    >
      <div ref={pattern} className="canvas-background-dots" />
    </div>
  );
}
