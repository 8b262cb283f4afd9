import type { VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";
import { cva } from "class-variance-authority";
import { CircleAlert, CircleCheck, Info } from "lucide-react";

import { cn } from "./cn";

export const alertVariants = cva("flex items-start gap-2 rounded-md border p-3 text-sm", {
  variants: {
    variant: {
      info: "border-border bg-surface-muted text-fg",
      success: "border-success bg-success-soft text-success",
      danger: "border-danger bg-danger-soft text-danger",
    },
  },
  defaultVariants: { variant: "info" },
});

const icons = { info: Info, success: CircleCheck, danger: CircleAlert } as const;

export type AlertProps = ComponentProps<"div"> & VariantProps<typeof alertVariants>;

/**
 * An inline message. Danger alerts use role="alert" (announced at once); others role="status".
 */
export function Alert({ className, variant, children, role, ...props }: AlertProps) {
  const kind = variant ?? "info";
  const Icon = icons[kind];
  return (
    <div
      role={role ?? (kind === "danger" ? "alert" : "status")}
      className={cn(alertVariants({ variant }), className)}
      {...props}
    >
      <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}
