import type { UpstreamNode } from "./types";

/** True when a config value holds at least one `{{ … }}` expression (and is therefore evaluated at run time). */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && /(^|[^\\])\{\{/.test(value);
}

export interface Completion {
  /** What the list shows, e.g. `nodes.fetch_page`. */
  label: string;
  /** A short explanation shown beside the label. */
  detail: string;
  /** Text that replaces `from`…`to`. */
  insert: string;
}

export interface CompletionResult {
  from: number;
  to: number;
  items: Completion[];
}

const ROOTS: { name: string; detail: string }[] = [
  { name: "trigger", detail: "Output of the trigger that started the run" },
  { name: "nodes", detail: "Outputs of upstream nodes" },
  { name: "vars", detail: "Flow variables" },
  { name: "run", detail: "id, flowId, flowVersion, orgId, startedAt, triggerNodeId" },
];

const RUN_FIELDS = ["id", "flowId", "flowVersion", "orgId", "startedAt", "triggerNodeId"];

/** Where the caret is: inside an unclosed `{{`, and the identifier path typed just before it. */
function openExpression(text: string, caret: number): { start: number } | null {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf("{{");
  if (open === -1 || (open > 0 && before[open - 1] === "\\")) return null;
  if (before.indexOf("}}", open + 2) !== -1) return null;
  return { start: open + 2 };
}

function upstreamItems(upstream: readonly UpstreamNode[], partial: string, wrap: boolean) {
  const needle = partial.toLowerCase();
  return upstream
    .filter(
      (node) =>
        node.id.toLowerCase().startsWith(needle) || node.name.toLowerCase().includes(needle),
    )
    .map((node) => ({
      label: `nodes.${node.id}`,
      detail: `${node.name} (${node.type})`,
      insert: wrap ? `{{ nodes.${node.id} }}` : `nodes.${node.id}`,
    }));
}

/**
 * Completions at `caret`: inside `{{ … }}` the variables (`trigger`, `nodes`, `vars`, `run`), upstream node ids
 * after `nodes.`, flow variables after `vars.` and run fields after `run.`; outside braces, `nodes.` offers upstream
 * ids wrapped in `{{ }}`.
 */
export function expressionCompletions(
  text: string,
  caret: number,
  upstream: readonly UpstreamNode[],
  variables: readonly string[] = [],
): CompletionResult | null {
  const before = text.slice(0, caret);
  const expression = openExpression(text, caret);
  const token = /[A-Za-z_][\w.]*$/.exec(before)?.[0] ?? "";
  const from = caret - token.length;
  if (expression === null) {
    const match = /(^|[^\w.])nodes\.(\w*)$/.exec(before);
    if (!match) return null;
    const start = caret - `nodes.${match[2] ?? ""}`.length;
    const items = upstreamItems(upstream, match[2] ?? "", true);
    return items.length > 0 ? { from: start, to: caret, items } : null;
  }
  // A member of something else (`nodes.fetch.bo`, `trigger.x`) is data we cannot know here.
  if (from > expression.start && before[from - 1] === ".") return null;
  const dot = token.indexOf(".");
  let items: Completion[];
  if (dot === -1) {
    const needle = token.toLowerCase();
    items = [
      ...ROOTS.filter((root) => root.name.startsWith(needle)).map((root) => ({
        label: root.name,
        detail: root.detail,
        insert: root.name,
      })),
      ...(needle === "" || "nodes".startsWith(needle) ? upstreamItems(upstream, "", false) : []),
    ];
  } else {
    const root = token.slice(0, dot);
    const rest = token.slice(dot + 1);
    if (rest.includes(".")) return null;
    if (root === "nodes") items = upstreamItems(upstream, rest, false);
    else if (root === "vars")
      items = variables
        .filter((name) => name.startsWith(rest))
        .map((name) => ({
          label: `vars.${name}`,
          detail: "Flow variable",
          insert: `vars.${name}`,
        }));
    else if (root === "run")
      items = RUN_FIELDS.filter((field) => field.startsWith(rest)).map((field) => ({
        label: `run.${field}`,
        detail: "Run metadata",
        insert: `run.${field}`,
      }));
    else return null;
  }
  if (items.length === 0) return null;
  // Typing `{{` alone offers everything, with a space after the braces for readability.
  const pad = token === "" && before.endsWith("{{") ? " " : "";
  const close = text.indexOf("}}", caret) === -1 ? " }}" : "";
  return {
    from,
    to: caret,
    items: items.map((item) => ({ ...item, insert: `${pad}${item.insert}${close}` })),
  };
}

/** Applies a completion: the new text and where the caret goes (just after the inserted path). */
export function applyCompletion(
  text: string,
  result: CompletionResult,
  item: Completion,
): { text: string; caret: number } {
  const next = text.slice(0, result.from) + item.insert + text.slice(result.to);
  const closing = item.insert.endsWith(" }}") ? 3 : 0;
  return { text: next, caret: result.from + item.insert.length - closing };
}
