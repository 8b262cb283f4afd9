import type { LucideIcon } from "lucide-react";
import {
  Ban,
  CircleCheck,
  CircleDashed,
  CircleX,
  Clock,
  Hourglass,
  LoaderCircle,
  SkipForward,
} from "lucide-react";

import type { BadgeProps } from "@runnel/ui";
import { Badge, cn } from "@runnel/ui";

import type { NodeStatus, RunStatus } from "./run-state";

type Status = RunStatus | NodeStatus;

const looks: Record<Status, { variant: BadgeProps["variant"]; icon: LucideIcon; label: string }> = {
  queued: { variant: "neutral", icon: Clock, label: "Queued" },
  pending: { variant: "neutral", icon: CircleDashed, label: "Pending" },
  running: { variant: "primary", icon: LoaderCircle, label: "Running" },
  waiting: { variant: "neutral", icon: Hourglass, label: "Waiting" },
  succeeded: { variant: "success", icon: CircleCheck, label: "Succeeded" },
  failed: { variant: "danger", icon: CircleX, label: "Failed" },
  cancelled: { variant: "neutral", icon: Ban, label: "Cancelled" },
  skipped: { variant: "neutral", icon: SkipForward, label: "Skipped" },
};

export function statusLabel(status: string): string {
  return looks[status as Status]?.label ?? status;
}

/** A run's or a step's status as a pill: icon and word, so it never relies on colour alone. */
export function StatusBadge({ status, className }: { status: string; className?: string }) {
  const look = looks[status as Status] ?? looks.pending;
  const Icon = look.icon;
  return (
    <Badge variant={look.variant} className={cn("gap-1", className)} data-status={status}>
      <Icon
        aria-hidden="true"
        className={cn("size-3", status === "running" && "motion-safe:animate-spin")}
      />
      {look.label}
    </Badge>
  );
}

/** Timeline bar colours per step status. */
export const statusBarClass: Record<string, string> = {
  pending: "bg-fg-muted/40",
  running: "bg-primary motion-safe:animate-pulse",
  waiting: "bg-fg-muted/60",
  succeeded: "bg-success",
  failed: "bg-danger",
  skipped: "bg-border",
};
