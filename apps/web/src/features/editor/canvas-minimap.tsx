"use client";

import type { PointerEvent as ReactPointerEvent } from "react";
import { Panel, useReactFlow, useStore, useStoreApi } from "@xyflow/react";
import { memo, useEffect, useMemo, useRef, useState } from "react";

import type { CanvasNode } from "./flow-node";

const WIDTH = 200;
const HEIGHT = 150;
/** Size assumed for a node React Flow has not measured yet (a node is 240 px wide, see flow-node.tsx). */
const UNMEASURED = { width: 240, height: 88 };
const WHEEL_ZOOM_STEP = 1.2;
/** On a smaller canvas the minimap would cover the nodes it maps: it is left out. */
const MIN_CANVAS = { width: 640, height: 420 };
/** The overview takes in the visible area once the view has been still this long (not on every pan frame). */
const SETTLE_MS = 200;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function nodeRect(node: CanvasNode): Rect {
  return {
    x: node.position.x,
    y: node.position.y,
    width: node.measured?.width ?? UNMEASURED.width,
    height: node.measured?.height ?? UNMEASURED.height,
  };
}

function union(a: Rect, b: Rect | null): Rect {
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/** The nodes' bounding box with a margin of a tenth of its size, or a default area for an empty flow. */
function flowBounds(rects: readonly Rect[]): Rect {
  if (rects.length === 0) return { x: 0, y: 0, width: 800, height: 600 };
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const rect of rects) {
    left = Math.min(left, rect.x);
    top = Math.min(top, rect.y);
    right = Math.max(right, rect.x + rect.width);
    bottom = Math.max(bottom, rect.y + rect.height);
  }
  const marginX = (right - left) / 10;
  const marginY = (bottom - top) / 10;
  return {
    x: left - marginX,
    y: top - marginY,
    width: right - left + 2 * marginX,
    height: bottom - top + 2 * marginY,
  };
}

const MiniMapNodes = memo(function MiniMapNodes({
  rects,
  viewBox,
}: {
  rects: readonly Rect[];
  viewBox: Rect;
}) {
  return (
    <svg
      className="react-flow__minimap-svg"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`${viewBox.x} ${viewBox.y} ${viewBox.width} ${viewBox.height}`}
      role="img"
      aria-label="Minimap"
    >
      {rects.map((rect, i) => (
        <rect
          key={i}
          className="react-flow__minimap-node"
          x={rect.x}
          y={rect.y}
          width={rect.width}
          height={rect.height}
          rx={8}
        />
      ))}
    </svg>
  );
});

/**
 * An overview of the flow with the visible area outlined; press or drag on it to move the view there, scroll on it
 * to zoom. Unlike React Flow's `<MiniMap>`, whose view box follows the viewport (so every pan frame redraws every
 * node in it), the nodes are drawn once per change of the flow (or of the visible area, once the view settles) and
 * only the outline moves while panning, on its own compositor layer, updated from the store without rendering.
 */
export function CanvasMiniMap({ nodes }: { nodes: readonly CanvasNode[] }) {
  const roomy = useStore((s) => s.width >= MIN_CANVAS.width && s.height >= MIN_CANVAS.height);
  return roomy ? <MiniMapPanel nodes={nodes} /> : null;
}

function MiniMapPanel({ nodes }: { nodes: readonly CanvasNode[] }) {
  const store = useStoreApi();
  const flow = useReactFlow();
  const outline = useRef<HTMLDivElement>(null);
  const surface = useRef<HTMLDivElement>(null);
  const rects = useMemo(() => nodes.map(nodeRect), [nodes]);
  const [settledView, setSettledView] = useState<Rect | null>(null);
  // The view box takes in the nodes and the visible area, keeping the minimap's aspect ratio.
  const viewBox = useMemo(() => {
    const bounds = union(flowBounds(rects), settledView);
    const unitsPerPixel = Math.max(bounds.width / WIDTH, bounds.height / HEIGHT);
    const width = WIDTH * unitsPerPixel;
    const height = HEIGHT * unitsPerPixel;
    return {
      x: bounds.x - (width - bounds.width) / 2,
      y: bounds.y - (height - bounds.height) / 2,
      width,
      height,
      unitsPerPixel,
    };
  }, [rects, settledView]);

  useEffect(() => {
    let sizeShown = "";
    let settle: ReturnType<typeof setTimeout> | undefined;
    const follow = () => {
      const element = outline.current;
      if (!element) return;
      const { transform, width, height } = store.getState();
      const [x, y, zoom] = transform;
      clearTimeout(settle);
      settle = setTimeout(() => {
        const view = { x: -x / zoom, y: -y / zoom, width: width / zoom, height: height / zoom };
        setSettledView((shown) =>
          shown &&
          shown.x === view.x &&
          shown.y === view.y &&
          shown.width === view.width &&
          shown.height === view.height
            ? shown
            : view,
        );
      }, SETTLE_MS);
      const size = `${width / zoom / viewBox.unitsPerPixel}px ${height / zoom / viewBox.unitsPerPixel}px`;
      if (size !== sizeShown) {
        sizeShown = size;
        element.style.width = `${width / zoom / viewBox.unitsPerPixel}px`;
        element.style.height = `${height / zoom / viewBox.unitsPerPixel}px`;
      }
      const left = (-x / zoom - viewBox.x) / viewBox.unitsPerPixel;
      const top = (-y / zoom - viewBox.y) / viewBox.unitsPerPixel;
      element.style.transform = `translate(${left}px, ${top}px)`;
    };
    follow();
    const unsubscribe = store.subscribe(follow);
    return () => {
      clearTimeout(settle);
      unsubscribe();
    };
  }, [store, viewBox]);

  // Wheel listeners must not be passive to keep the page from scrolling, which React's onWheel cannot promise.
  useEffect(() => {
    const element = surface.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const zoom = flow.getZoom();
      void flow.zoomTo(event.deltaY < 0 ? zoom * WHEEL_ZOOM_STEP : zoom / WHEEL_ZOOM_STEP);
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => element.removeEventListener("wheel", onWheel);
  }, [flow]);

  const centreOn = (event: ReactPointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const x = viewBox.x + (event.clientX - box.left) * viewBox.unitsPerPixel;
    const y = viewBox.y + (event.clientY - box.top) * viewBox.unitsPerPixel;
    void flow.setCenter(x, y, { zoom: flow.getZoom() });
  };

  return (
    <Panel position="bottom-right" className="react-flow__minimap">
      <div
        ref={surface}
        className="relative cursor-pointer overflow-hidden"
        style={{ width: WIDTH, height: HEIGHT }}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          centreOn(event);
        }}
        onPointerMove={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId)) centreOn(event);
        }}
      >
        <MiniMapNodes rects={rects} viewBox={viewBox} />
        <div ref={outline} className="canvas-minimap-outline" />
      </div>
    </Panel>
  );
}
