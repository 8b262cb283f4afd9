/**
 * Splits config strings into literal text and `{{ expression }}` parts (used by the engine to evaluate them and by
 * the editor to find the expressions in a config, e.g. to rename node references on paste). The scanner knows CEL string
 * literals and map literals, so `{{ "}}" }}` and `{{ {'a': {'b': 1}} }}` are one expression each;
 * `\{{` writes a literal `{{`.
 */

export type TemplatePart =
  { kind: "text"; text: string } | { kind: "expression"; source: string; offset: number };

export class TemplateSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = "TemplateSyntaxError";
    this.offset = offset;
  }
}

/** True when the string contains at least one (unescaped) `{{`. */
export function hasTemplate(text: string): boolean {
  return scanTemplate(text).some((part) => part.kind === "expression");
}

/** Splits a string into parts; throws {@link TemplateSyntaxError} for an unclosed or empty `{{`. */
export function scanTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let index = 0;
  while (index < text.length) {
    if (text.startsWith("\\{{", index)) {
      literal += "{{";
      index += 3;
      continue;
    }
    if (!text.startsWith("{{", index)) {
      literal += text[index] ?? "";
      index += 1;
      continue;
    }
    const start = index + 2;
    const end = findClose(text, start);
    if (end === -1) throw new TemplateSyntaxError("unclosed {{ (expected }})", index);
    const source = text.slice(start, end);
    if (source.trim() === "") throw new TemplateSyntaxError("empty {{ }}", index);
    if (literal !== "") parts.push({ kind: "text", text: literal });
    literal = "";
    parts.push({
      kind: "expression",
      source: source.trim(),
      offset: start + (source.length - source.trimStart().length),
    });
    index = end + 2;
  }
  if (literal !== "") parts.push({ kind: "text", text: literal });
  return parts;
}

/** Index of the `}}` closing an expression that starts at `from`, skipping CEL strings and map literals. */
function findClose(text: string, from: number): number {
  let index = from;
  let depth = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === "{") depth += 1;
    if (char === "}" && depth > 0) {
      depth -= 1;
      index += 1;
      continue;
    }
    if (char === "}" && text[index + 1] === "}") return index;
    if (char === '"' || char === "'") {
      index = skipCelString(text, index);
      continue;
    }
    index += 1;
  }
  return -1;
}

/**
 * The index just after the CEL string literal whose opening quote is at `start` (single, double or triple
 * quotes). A raw string (an `r` or `R` among the one or two prefix letters before the quote, as in `r"…"` or
 * `rb"…"`) takes backslashes literally. An unterminated single-quoted string ends at the line break.
 */
export function skipCelString(text: string, start: number): number {
  const quote = text[start] ?? '"';
  const prefix = /[rRbB]{1,2}$/.exec(text.slice(Math.max(0, start - 2), start))?.[0] ?? "";
  const raw = /[rR]/.test(prefix);
  const triple = text.startsWith(quote.repeat(3), start);
  const closing = triple ? quote.repeat(3) : quote;
  let index = start + closing.length;
  while (index < text.length) {
    if (!raw && text[index] === "\\") {
      index += 2;
      continue;
    }
    if (text.startsWith(closing, index)) return index + closing.length;
    if (!triple && text[index] === "\n") return index;
    index += 1;
  }
  return index;
}
