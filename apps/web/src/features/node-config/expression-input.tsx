"use client";

import type { ChangeEvent, ComponentProps, KeyboardEvent } from "react";
import { Braces } from "lucide-react";
import { useId, useRef, useState } from "react";

import { cn, Input, Textarea } from "@runnel/ui";

import type { Completion, CompletionResult } from "./expression";
import type { UpstreamNode } from "./types";
import { applyCompletion, expressionCompletions, isExpression } from "./expression";

type TextElement = HTMLInputElement | HTMLTextAreaElement;

export interface ExpressionInputProps extends Omit<
  ComponentProps<"input">,
  "value" | "onChange" | "ref" | "type"
> {
  value: string;
  onValueChange: (value: string) => void;
  upstream: readonly UpstreamNode[];
  /** Names of the flow's variables (`vars.<name>`). */
  variables?: readonly string[];
  multiline?: boolean;
  /** Monospace, no spell checking (code). */
  code?: boolean;
  /** False for literal fields: no completion, no expression indicator. */
  expressions?: boolean;
  type?: "text" | "url";
  /** Visible lines of a multiline input (default 10 for code, 4 otherwise). */
  rows?: number;
}

/**
 * A text input (or textarea) whose `{{ … }}` expressions get completions: typing `{{` or `nodes.` opens a listbox
 * of variables and upstream node ids (↑/↓ to move, Enter or Tab to insert, Escape to close). A field that holds an
 * expression says so under the input.
 */
export function ExpressionInput({
  value,
  onValueChange,
  upstream,
  variables,
  multiline = false,
  code = false,
  expressions = true,
  className,
  type = "text",
  rows,
  ...rest
}: ExpressionInputProps) {
  const ref = useRef<TextElement | null>(null);
  const listId = useId();
  const [result, setResult] = useState<CompletionResult | null>(null);
  const [active, setActive] = useState(0);
  const open = result !== null && result.items.length > 0;
  const holdsExpression = expressions && isExpression(value);

  function refresh(text: string, caret: number | null) {
    if (!expressions) return;
    setResult(expressionCompletions(text, caret ?? text.length, upstream, variables));
    setActive(0);
  }

  function choose(item: Completion) {
    if (!result) return;
    const next = applyCompletion(value, result, item);
    onValueChange(next.text);
    setResult(null);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(next.caret, next.caret);
    });
  }

  function onKeyDown(event: KeyboardEvent<TextElement>) {
    if (!open) {
      if (event.key === " " && event.ctrlKey) {
        event.preventDefault();
        refresh(value, event.currentTarget.selectionStart);
      }
      return;
    }
    const count = result.items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive((i) => (i + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if (event.key === "Enter" || event.key === "Tab") {
      const item = result.items[active];
      if (!item) return;
      event.preventDefault();
      choose(item);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      setResult(null);
    }
  }

  const onChange = (event: ChangeEvent<TextElement>) => {
    onValueChange(event.target.value);
    refresh(event.target.value, event.target.selectionStart);
  };
  const optionId = (index: number) => `${listId}-option-${index}`;
  const common = {
    ...rest,
    value,
    onChange,
    onKeyDown,
    onBlur: () => setResult(null),
    spellCheck: code || holdsExpression ? false : undefined,
    autoComplete: "off",
    "aria-autocomplete": expressions ? ("list" as const) : undefined,
    "aria-controls": open ? listId : undefined,
    "aria-activedescendant": open ? optionId(active) : undefined,
    "data-expression": holdsExpression ? "" : undefined,
    className: cn((code || holdsExpression) && "font-mono text-[13px]", className),
  };

  return (
    <div className="relative flex flex-col gap-1">
      {multiline ? (
        <Textarea
          {...(common as ComponentProps<"textarea">)}
          ref={(element) => {
            ref.current = element;
          }}
          rows={rows ?? (code ? 10 : 4)}
        />
      ) : (
        <Input
          {...common}
          ref={(element) => {
            ref.current = element;
          }}
          type={type === "url" && !holdsExpression ? "url" : "text"}
          role={expressions ? "combobox" : undefined}
          aria-expanded={expressions ? open : undefined}
        />
      )}
      {holdsExpression ? (
        <p className="flex items-center gap-1 text-xs text-primary">
          <Braces aria-hidden="true" className="size-3.5" />
          Expression: evaluated when the node runs
        </p>
      ) : null}
      {open ? (
        <ul
          id={listId}
          role="listbox"
          aria-label="Expression completions"
          className="absolute top-full z-30 mt-1 max-h-60 w-full overflow-auto rounded-md border border-border bg-surface p-1 text-sm shadow-md"
        >
          {result.items.map((item, index) => (
            <li
              key={item.label}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              className={cn(
                "flex cursor-pointer items-baseline justify-between gap-3 rounded-sm px-2 py-1",
                index === active && "bg-surface-muted",
              )}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(item);
              }}
              onMouseEnter={() => setActive(index)}
            >
              <span className="font-mono text-[13px]">{item.label}</span>
              <span className="truncate text-xs text-fg-muted">{item.detail}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
