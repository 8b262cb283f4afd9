"use client";

import { useState } from "react";

import type { UpstreamNode } from "./types";
import { ExpressionInput } from "./expression-input";
import { jsonText, parseJsonText } from "./json-text";

/** A JSON value (any shape, or a JSON Schema document) edited as text, with expression completions. */
export function JsonEditor({
  value,
  onValueChange,
  upstream,
  variables,
  disabled,
  expressions,
  ...rest
}: {
  value: unknown;
  onValueChange: (value: unknown) => void;
  upstream: readonly UpstreamNode[];
  variables: readonly string[];
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
        rows={4}
        expressions={expressions}
        upstream={upstream}
        variables={variables}
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
