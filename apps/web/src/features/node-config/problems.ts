import type { Field } from "./field-model";
import type { NodeProblem } from "./types";
import type { PathSegment } from "./value-path";
import { getAt, pathKey } from "./value-path";

/** Keys of every field the form renders for `value` (`config.url`, `config.fields.0.name`, …). */
export function fieldKeys(field: Field, value: unknown, path: PathSegment[]): string[] {
  const here = path.length > 0 ? [pathKey(path)] : [];
  switch (field.kind) {
    case "object":
      return [
        ...here,
        ...field.fields.flatMap((f) => fieldKeys(f, getAt(value, [f.name]), [...path, f.name])),
      ];
    case "union": {
      const tag = getAt(value, [field.discriminator]);
      const variant = field.variants.find((v) => v.value === tag);
      return [
        ...here,
        pathKey([...path, field.discriminator]),
        ...(variant?.fields ?? []).flatMap((f) =>
          fieldKeys(f, getAt(value, [f.name]), [...path, f.name]),
        ),
      ];
    }
    case "list": {
      const items = Array.isArray(value) ? value : [];
      return [...here, ...items.flatMap((item, i) => fieldKeys(field.item, item, [...path, i]))];
    }
    default:
      return here;
  }
}

/** `nodes.3.config.url` → `config.url`: problems of the whole flow carry the node's index first. */
export function nodeRelativePath(path: string): string {
  return path.replace(/^nodes\.\d+\./, "").replace(/^nodes\.\d+$/, "");
}

export interface AssignedProblems {
  byField: Map<string, string[]>;
  /** Problems no rendered field owns (about the node as a whole, or a field the form does not show). */
  general: string[];
}

/** Puts each problem under the deepest rendered field whose path is a prefix of the problem's path. */
export function assignProblems(
  problems: readonly NodeProblem[],
  keys: readonly string[],
): AssignedProblems {
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  const sorted = [...keys].sort((a, b) => b.length - a.length);
  for (const problem of problems) {
    const path = nodeRelativePath(problem.path);
    const owner = sorted.find((key) => path === key || path.startsWith(`${key}.`));
    if (owner === undefined) {
      general.push(path === "" ? problem.message : `${path}: ${problem.message}`);
      continue;
    }
    const list = byField.get(owner) ?? [];
    list.push(
      owner === path ? problem.message : `${path.slice(owner.length + 1)}: ${problem.message}`,
    );
    byField.set(owner, list);
  }
  return { byField, general };
}
