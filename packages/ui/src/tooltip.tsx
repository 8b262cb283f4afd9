"use client";

import type { ComponentProps, ReactNode } from "react";
import { Tooltip as Primitive } from "radix-ui";
import { useState } from "react";

import { cn } from "./cn";

export interface TooltipProps {
  /** The text shown next to the trigger on hover and keyboard focus (also its accessible description). */
  label: ReactNode;
  /** One focusable element (a button or a link) that keeps its own accessible name. */
  children: ReactNode;
  side?: ComponentProps<typeof Primitive.Content>["side"];
  /** Never opens, e.g. while the trigger shows its label as text; the element tree stays the same. */
  disabled?: boolean;
  className?: string;
}

/** A short label for an icon-only control, shown on hover and on keyboard focus. */
export function Tooltip({
  label,
  children,
  side = "top",
  disabled = false,
  className,
}: TooltipProps) {
  const [open, setOpen] = useState(false);
  return (
    <Primitive.Provider delayDuration={300}>
      <Primitive.Root open={open && !disabled} onOpenChange={setOpen}>
        <Primitive.Trigger asChild>{children}</Primitive.Trigger>
        <Primitive.Portal>
          <Primitive.Content
            side={side}
            sideOffset={6}
            className={cn(
              "z-50 rounded-md bg-fg px-2 py-1 text-xs font-medium text-surface shadow-md",
              className,
            )}
          >
            {label}
          </Primitive.Content>
        </Primitive.Portal>
      </Primitive.Root>
    </Primitive.Provider>
  );
}
