"use client";

import type { ComponentProps, KeyboardEvent } from "react";
import { Braces } from "lucide-react";
import { useId, useState } from "react";

import { cn, Input } from "@runnel/ui";

import { isExpression } from "./expression";
import { filterOptions } from "./options";

/** The most suggestions listed at once; typing narrows the rest down. */
const MAX_SHOWN = 100;

export interface OptionsInputProps extends Omit<
  ComponentProps<"input">,
  "value" | "onChange" | "ref" | "type"
> {
  value: string;
  onValueChange: (value: string) => void;
  /** Suggested values; undefined while they are not known (loading, failed, nothing to list them for). */
  options: readonly string[] | undefined;
  /** What the list is called for screen readers, e.g. "Models". */
  listLabel: string;
  /** A line shown under an option (an MCP tool's description). */
  describeOption?: (option: string) => string | undefined;
  /** Called instead of `onValueChange` when an option is picked from the list (to fill other fields too). */
  onOptionPick?: (option: string) => void;
}

/**
 * A text input with a list of suggestions (an ARIA combobox): typing filters the list, ↑/↓ move, Enter picks,
 * Escape closes. Any text is kept as typed, so a value the list lacks (a local model, an expression) is accepted.
 */
export function OptionsInput({
  value,
  onValueChange,
  options,
  listLabel,
  describeOption,
  onOptionPick,
  disabled,
  className,
  ...rest
}: OptionsInputProps) {
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const holdsExpression = isExpression(value);
  const matches = holdsExpression ? [] : filterOptions(options ?? [], value).slice(0, MAX_SHOWN);
  const showing = open && matches.length > 0;

  function choose(option: string) {
    (onOptionPick ?? onValueChange)(option);
    setOpen(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (!showing) {
      if (event.key === "ArrowDown" && matches.length > 0) {
        event.preventDefault();
        setOpen(true);
        setActive(0);
      }
      return;
    }
    const count = matches.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive((i) => (i + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if (event.key === "Enter") {
      const option = matches[Math.min(active, count - 1)];
      if (option === undefined) return;
      event.preventDefault();
      choose(option);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }
  }

  const optionId = (index: number) => `${listId}-option-${index}`;
  return (
    <div className="relative flex flex-col gap-1">
      <Input
        {...rest}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-autocomplete="list"
        aria-expanded={showing}
        aria-controls={showing ? listId : undefined}
        aria-activedescendant={showing ? optionId(Math.min(active, matches.length - 1)) : undefined}
        value={value}
        disabled={disabled}
        data-expression={holdsExpression ? "" : undefined}
        className={cn(holdsExpression && "font-mono text-[13px]", className)}
        onChange={(event) => {
          onValueChange(event.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onClick={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {holdsExpression ? (
        <p className="flex items-center gap-1 text-xs text-primary">
          <Braces aria-hidden="true" className="size-3.5" />
          Expression: evaluated when the node runs
        </p>
      ) : null}
      {showing ? (
        <ul
          id={listId}
          role="listbox"
          aria-label={listLabel}
          className="absolute top-full z-30 mt-1 max-h-60 w-full overflow-auto rounded-md border border-border bg-surface p-1 text-sm shadow-md"
        >
          {matches.map((option, index) => (
            <li
              key={option}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              className={cn(
                "cursor-pointer truncate rounded-sm px-2 py-1 font-mono text-[13px]",
                index === active && "bg-surface-muted",
              )}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(option);
              }}
              onMouseEnter={() => setActive(index)}
            >
              {option}
              {describeOption?.(option) ? (
                <span className="block truncate font-sans text-xs text-fg-muted">
                  {describeOption(option)}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
