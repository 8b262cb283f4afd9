import type { LucideIcon } from "lucide-react";
import {
  Box,
  Braces,
  Clock,
  Code,
  GitBranch,
  Globe,
  Hourglass,
  Merge,
  Pencil,
  Play,
  Plug,
  Repeat,
  Reply,
  Sparkles,
  Split,
  UserCheck,
  Webhook,
  Workflow,
} from "lucide-react";
import { createElement } from "react";

/**
 * The lucide icons the catalogue names (`ui.icon`), imported one by one so the bundle does not carry every icon.
 * A name missing here falls back to a box; add it when a node type uses a new icon.
 */
const ICONS: Record<string, LucideIcon> = {
  braces: Braces,
  clock: Clock,
  code: Code,
  "git-branch": GitBranch,
  globe: Globe,
  hourglass: Hourglass,
  merge: Merge,
  pencil: Pencil,
  play: Play,
  plug: Plug,
  repeat: Repeat,
  reply: Reply,
  sparkles: Sparkles,
  split: Split,
  "user-check": UserCheck,
  webhook: Webhook,
  workflow: Workflow,
};

/** The lucide icon a catalogue entry names (decorative: hidden from assistive technology). */
export function NodeIcon({ name, className }: { name: string | undefined; className?: string }) {
  const Icon = (name && ICONS[name]) || Box;
  return createElement(Icon, { "aria-hidden": true, className });
}
