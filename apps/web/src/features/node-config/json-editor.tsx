"use client";

import { useState } from "react";

import type { UpstreamNode } from "./types";
import { ExpressionInput } from "./expression-input";

/** How a JSON value shows in the editor: strings as they are (so `{{ … }}` reads naturally), the rest as JSON. */
export function jsonText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/**
 * Reads the editor's text: JSON when it parses, a plain string otherwise, except that text starting like an
 * object or list must parse (a half-typed `{"a":` is an error, not a string).
 */
export function parseJsonText(text: string): { value: unknown } | { error: string } {
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    if (/^\s*[[{]/.test(text) && !/^\s*\{\{/.test(text)) {
      return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    return { value: text };
  }
}

/** A JSON value (any shape, or a JSON Schema document) edited as text, with expression completions. */
export function JsonEditor({
  value,
  onValueChange,
  upstream,
  disabled,
  expressions,
  ...rest
}: {
  value: unknown;
  onValueChange: (value: unknown) => void;
  upstream: readonly UpstreamNode[];
  disabled: boolean;
  expressions: boolean;
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}) {
  const [text, setText] = useState(() => jsonText(value));
  const [error, setError] = useState<string | null>(null);
  // Outside changes (undo, another field) replace the text unless it already means the same value.
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    const parsed = parseJsonText(text);
    if (!("value" in parsed) || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setText(jsonText(value));
      setError(null);
    }
  }
  const errorId = rest.id ? `${rest.id}-json-error` : undefined;
  return (
    <div className="flex flex-col gap-1">
      <ExpressionInput
        {...rest}
        aria-invalid={error ? true : rest["aria-invalid"]}
        aria-describedby={
          [rest["aria-describedby"], error ? errorId : undefined].filter(Boolean).join(" ") ||
          undefined
        }
        value={text}
        multiline
        code
        expressions={expressions}
        upstream={upstream}
        disabled={disabled}
        onValueChange={(next) => {
          setText(next);
          const parsed = parseJsonText(next);
          if ("error" in parsed) {
            setError(parsed.error);
            return;
          }
          setError(null);
          setSeen(parsed.value);
          onValueChange(parsed.value);
        }}
      />
      {error ? (
        <p id={errorId} className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
