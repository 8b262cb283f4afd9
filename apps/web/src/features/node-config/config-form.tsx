"use client";

import type { ReactElement, ReactNode } from "react";
import { Braces, Plus, Trash2 } from "lucide-react";

import {
  Button,
  cn,
  FormField,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@runnel/ui";

import type { Field, FieldModel } from "./field-model";
import type { UpstreamNode } from "./types";
import type { PathSegment } from "./value-path";
import { CredentialPicker } from "./credential-picker";
import { isExpression } from "./expression";
import { ExpressionInput } from "./expression-input";
import { emptyValue, variantValue } from "./field-model";
import { JsonEditor } from "./json-editor";
import { KeyValueEditor } from "./key-value-editor";
import { withPickedMcpTool } from "./mcp-tools";
import { OptionsField } from "./options-field";
import { getAt, pathKey, setAt } from "./value-path";

export interface FormContext {
  /** The node's whole config, for fields whose control depends on another field (options of a credential). */
  config: Record<string, unknown>;
  upstream: readonly UpstreamNode[];
  variables: readonly string[];
  /** Problems by field key (`config.url`), from {@link assignProblems}. */
  problems: ReadonlyMap<string, string[]>;
  readOnly: boolean;
  /** Prefix of element ids, unique per panel. */
  idPrefix: string;
  onChange: (path: PathSegment[], value: unknown) => void;
}

interface FieldProps {
  field: Field;
  value: unknown;
  path: PathSegment[];
  ctx: FormContext;
  /** List items keep "" rather than disappearing when emptied. */
  inList?: boolean;
}

const domId = (ctx: FormContext, path: PathSegment[]) =>
  `${ctx.idPrefix}-${pathKey(path).replace(/[^\w-]/g, "_")}`;

function hintOf(field: Field): string | undefined {
  const parts = [field.description];
  const fallback = field.defaultValue;
  if (typeof fallback === "string" || typeof fallback === "number" || typeof fallback === "boolean")
    parts.push(`Default: ${String(fallback)}`);
  const text = parts.filter(Boolean).join(" · ");
  return text || undefined;
}

/** "Cases" → "Case", for the label of one list item. */
function singular(label: string): string {
  return /[^s]s$/.test(label) ? label.slice(0, -1) : label;
}

/** "(optional)" only where leaving the field out means no value; a field with a default shows the default. */
function labelOf(field: Field): ReactNode {
  return field.required || field.defaultValue !== undefined
    ? field.label
    : `${field.label} (optional)`;
}

/** The config of a node as a form: every field of the model, problems under the field they concern. */
export function ConfigFields({
  root,
  value,
  ctx,
}: {
  root: Field;
  value: Record<string, unknown>;
  ctx: FormContext;
}) {
  if (root.kind === "union")
    return <UnionField field={root} value={value} path={["config"]} ctx={ctx} />;
  if (root.kind !== "object") return null;
  if (root.fields.length === 0)
    return <p className="text-sm text-fg-muted">This node has nothing to configure.</p>;
  return (
    <div className="flex flex-col gap-4">
      {root.fields.map((field) => (
        <FieldControl
          key={field.name}
          field={field}
          value={value[field.name]}
          path={["config", field.name]}
          ctx={ctx}
        />
      ))}
    </div>
  );
}

export function FieldControl(props: FieldProps) {
  const { field } = props;
  switch (field.kind) {
    case "object":
      return <ObjectField {...props} field={field} />;
    case "union":
      return <UnionField {...props} field={field} />;
    case "list":
      return <ListField {...props} field={field} />;
    case "record":
      return <RecordField {...props} field={field} />;
    case "multi-enum":
      return <MultiEnumField {...props} field={field} />;
    default:
      return <LeafField {...props} />;
  }
}

type Of<K extends FieldModel["kind"]> = Extract<Field, { kind: K }>;

function Problems({ id, messages }: { id?: string; messages: string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <p id={id} className="text-sm text-danger">
      {messages.join(" ")}
    </p>
  );
}

/** A group of controls (object, list, key/value, union, multi-select) under a legend. */
function Group({
  field,
  path,
  ctx,
  children,
  actions,
}: {
  field: Field;
  path: PathSegment[];
  ctx: FormContext;
  children: ReactNode;
  actions?: ReactNode;
}) {
  const id = domId(ctx, path);
  const problems = ctx.problems.get(pathKey(path));
  return (
    <fieldset
      className="flex flex-col gap-3 rounded-md border border-border p-3"
      aria-describedby={problems ? `${id}-error` : undefined}
      aria-invalid={problems ? true : undefined}
      data-field={pathKey(path)}
    >
      <legend className="px-1 text-sm font-medium">{labelOf(field)}</legend>
      {field.description ? (
        <p className="-mt-1 text-xs text-fg-muted">{field.description}</p>
      ) : null}
      <Problems id={`${id}-error`} messages={problems} />
      {children}
      {actions}
    </fieldset>
  );
}

function ObjectField({ field, value, path, ctx }: FieldProps & { field: Of<"object"> }) {
  return (
    <Group field={field} path={path} ctx={ctx}>
      {field.fields.map((child) => (
        <FieldControl
          key={child.name}
          field={child}
          value={getAt(value, [child.name])}
          path={[...path, child.name]}
          ctx={ctx}
        />
      ))}
    </Group>
  );
}

function UnionField({ field, value, path, ctx }: FieldProps & { field: Of<"union"> }) {
  const fallback = field.defaultValue ?? emptyValue(field);
  const current = typeof value === "object" && value !== null ? value : fallback;
  const tag = getAt(current, [field.discriminator]);
  const variant = field.variants.find((v) => v.value === tag);
  const tagPath = [...path, field.discriminator];
  const selectId = domId(ctx, tagPath);
  const tagLabel = field.discriminator.charAt(0).toUpperCase() + field.discriminator.slice(1);
  // Until the value names its variant, the form shows the default one; the first edit stores that variant too.
  const stored = getAt(value, [field.discriminator]) !== undefined;
  const childCtx: FormContext = stored
    ? ctx
    : {
        ...ctx,
        onChange: (childPath, next) =>
          ctx.onChange(path, setAt(current, childPath.slice(path.length), next)),
      };
  const body = (
    <>
      <FormField
        id={selectId}
        label={path.length === 1 ? tagLabel : `${field.label} ${field.discriminator}`}
        error={ctx.problems.get(pathKey(tagPath))}
      >
        <SelectControl
          value={typeof tag === "string" ? tag : undefined}
          options={field.variants.map((v) => ({ value: v.value, label: v.label }))}
          onValueChange={(next) => ctx.onChange(path, variantValue(field, next))}
          disabled={ctx.readOnly}
        />
      </FormField>
      {(variant?.fields ?? []).map((child) => (
        <FieldControl
          key={`${variant?.value}-${child.name}`}
          field={child}
          value={getAt(current, [child.name])}
          path={[...path, child.name]}
          ctx={childCtx}
        />
      ))}
    </>
  );
  if (path.length === 1) {
    return (
      <div className="flex flex-col gap-4">
        <Problems messages={ctx.problems.get(pathKey(path))} />
        {body}
      </div>
    );
  }
  return (
    <Group field={field} path={path} ctx={ctx}>
      {body}
    </Group>
  );
}

function ListField({ field, value, path, ctx }: FieldProps & { field: Of<"list"> }) {
  if (isExpression(value)) return <LeafField field={field} value={value} path={path} ctx={ctx} />;
  const items = Array.isArray(value) ? (value as unknown[]) : [];
  const remove = (index: number) => {
    const next = items.filter((_, i) => i !== index);
    ctx.onChange(path, next.length > 0 || field.required ? next : undefined);
  };
  return (
    <Group
      field={field}
      path={path}
      ctx={ctx}
      actions={
        ctx.readOnly ? null : (
          <div className="flex items-center justify-between gap-2">
            <Button
              variant="secondary"
              size="sm"
              onClick={() => ctx.onChange(path, [...items, emptyValue(field.item)])}
            >
              <Plus aria-hidden="true" />
              Add to {field.label.toLowerCase()}
            </Button>
            {field.expressions ? (
              <ExpressionToggle
                field={field}
                on={false}
                onToggle={(next) => ctx.onChange(path, next)}
              />
            ) : null}
          </div>
        )
      }
    >
      {items.length === 0 ? <p className="text-xs text-fg-muted">No items.</p> : null}
      {items.map((item, index) => (
        <div key={index} className="flex items-start gap-2" data-list-item={index}>
          <div className="min-w-0 flex-1">
            <FieldControl
              field={{ ...field.item, label: `${singular(field.label)} ${index + 1}` }}
              value={item}
              path={[...path, index]}
              ctx={ctx}
              inList
            />
          </div>
          {ctx.readOnly ? null : (
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Remove ${singular(field.label).toLowerCase()} ${index + 1}`}
              onClick={() => remove(index)}
            >
              <Trash2 aria-hidden="true" />
            </Button>
          )}
        </div>
      ))}
    </Group>
  );
}

function RecordField({ field, value, path, ctx }: FieldProps & { field: Of<"record"> }) {
  const record =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  return (
    <Group field={field} path={path} ctx={ctx}>
      <KeyValueEditor
        label={field.label}
        value={record}
        upstream={ctx.upstream}
        variables={ctx.variables}
        readOnly={ctx.readOnly}
        onValueChange={(next) =>
          ctx.onChange(path, Object.keys(next).length > 0 || field.required ? next : undefined)
        }
      />
    </Group>
  );
}

function MultiEnumField({ field, value, path, ctx }: FieldProps & { field: Of<"multi-enum"> }) {
  const chosen = Array.isArray(value)
    ? value
    : Array.isArray(field.defaultValue)
      ? (field.defaultValue as unknown[])
      : [];
  return (
    <Group field={field} path={path} ctx={ctx}>
      <div className="flex flex-wrap gap-3">
        {field.options.map((option) => {
          const id = `${domId(ctx, path)}-${option}`;
          return (
            <label key={option} htmlFor={id} className="flex items-center gap-1.5 text-sm">
              <input
                id={id}
                type="checkbox"
                className="size-4 accent-[var(--color-primary)]"
                checked={chosen.includes(option)}
                disabled={ctx.readOnly}
                onChange={(event) =>
                  ctx.onChange(
                    path,
                    field.options.filter((o) =>
                      o === option ? event.target.checked : chosen.includes(o),
                    ),
                  )
                }
              />
              {option}
            </label>
          );
        })}
      </div>
    </Group>
  );
}

function SelectControl({
  value,
  options,
  onValueChange,
  disabled,
  ...rest
}: {
  value: string | undefined;
  options: { value: string; label: string }[];
  onValueChange: (value: string) => void;
  disabled: boolean;
}) {
  return (
    <Select value={value} onValueChange={onValueChange} disabled={disabled}>
      <SelectTrigger {...rest}>
        <SelectValue placeholder="Choose…" />
      </SelectTrigger>
      <SelectContent>
        {options.map((option) => (
          <SelectItem key={option.value} value={option.value}>
            {option.label}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}

/** Switches a field between its own control and an expression (an empty `{{ }}` to start from). */
function ExpressionToggle({
  field,
  on,
  onToggle,
}: {
  field: Field;
  on: boolean;
  onToggle: (value: unknown) => void;
}) {
  return (
    <Button
      variant="ghost"
      size="sm"
      className={cn("h-6 px-1.5 text-xs", on && "text-primary")}
      aria-pressed={on}
      aria-label={`fx: use an expression for ${field.label}`}
      onClick={() => onToggle(on ? undefined : "{{  }}")}
    >
      <Braces aria-hidden="true" />
      fx
    </Button>
  );
}

/** Kinds whose native control cannot hold `{{ }}`: they get a switch to an expression input. */
const SWITCHABLE = new Set<FieldModel["kind"]>(["number", "boolean", "enum", "list"]);

function LeafField({ field, value, path, ctx, inList }: FieldProps) {
  const id = domId(ctx, path);
  const key = pathKey(path);
  const problems = ctx.problems.get(key);
  const set = (next: unknown) =>
    ctx.onChange(path, next === undefined && inList ? emptyValue(field) : next);
  const expressionMode = field.expressions && SWITCHABLE.has(field.kind) && isExpression(value);
  const toggle =
    field.expressions && SWITCHABLE.has(field.kind) && !ctx.readOnly ? (
      <ExpressionToggle field={field} on={expressionMode} onToggle={set} />
    ) : null;

  if (field.kind === "boolean" && !expressionMode) {
    const checked = typeof value === "boolean" ? value : field.defaultValue === true;
    const hint = hintOf(field);
    return (
      <div className="flex flex-col gap-1" data-field={key}>
        <div className="flex items-center gap-2">
          <input
            id={id}
            type="checkbox"
            className="size-4 accent-[var(--color-primary)]"
            checked={checked}
            disabled={ctx.readOnly}
            aria-invalid={problems ? true : undefined}
            aria-describedby={
              [hint ? `${id}-hint` : "", problems ? `${id}-error` : ""].join(" ").trim() ||
              undefined
            }
            onChange={(event) => set(event.target.checked)}
          />
          <label htmlFor={id} className="text-sm font-medium">
            {field.label}
          </label>
          <span className="ml-auto">{toggle}</span>
        </div>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-fg-muted">
            {hint}
          </p>
        ) : null}
        <Problems id={`${id}-error`} messages={problems} />
      </div>
    );
  }

  let control: ReactNode;
  if (field.kind === "text" || expressionMode) {
    control = (
      <ExpressionInput
        value={typeof value === "string" ? value : ""}
        onValueChange={(text) => set(text === "" ? undefined : text)}
        upstream={ctx.upstream}
        variables={ctx.variables}
        multiline={field.kind === "text" && field.multiline}
        code={field.kind === "text" && field.code}
        expressions={field.expressions}
        type={field.kind === "text" && field.format === "uri" ? "url" : "text"}
        placeholder={
          typeof field.defaultValue === "string" && field.defaultValue !== ""
            ? field.defaultValue
            : undefined
        }
        disabled={ctx.readOnly}
      />
    );
  } else if (field.kind === "number") {
    control = (
      <input
        type="number"
        inputMode={field.integer ? "numeric" : "decimal"}
        step={field.integer ? 1 : "any"}
        min={field.minimum}
        max={field.maximum}
        value={typeof value === "number" ? String(value) : ""}
        placeholder={
          typeof field.defaultValue === "number" ? String(field.defaultValue) : undefined
        }
        disabled={ctx.readOnly}
        onChange={(event) => {
          const raw = event.target.value;
          const parsed = Number(raw);
          if (raw === "") set(undefined);
          else if (Number.isFinite(parsed)) set(parsed);
        }}
        className="h-9 w-full rounded-md border border-border bg-surface px-3 text-sm text-fg focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring disabled:opacity-50 aria-[invalid=true]:border-danger"
      />
    );
  } else if (field.kind === "enum") {
    const current =
      typeof value === "string"
        ? value
        : typeof field.defaultValue === "string"
          ? field.defaultValue
          : undefined;
    control = (
      <SelectControl
        value={current}
        options={field.options.map((option) => ({ value: option, label: option }))}
        onValueChange={set}
        disabled={ctx.readOnly}
      />
    );
  } else if (field.kind === "options") {
    control = (
      <OptionsField
        source={field.source}
        // A sibling of this field: the same object, the named key (`config.credential` for `config.model`).
        dependency={
          field.dependsOn === undefined
            ? undefined
            : getAt(ctx.config, [...path.slice(1, -1), field.dependsOn])
        }
        value={typeof value === "string" ? value : ""}
        onValueChange={(text) => set(text === "" ? undefined : text)}
        onOptionPick={
          field.source === "mcpTools"
            ? // Picking a server tool also names the tool for the model when it has no name yet.
              (picked) => {
                const tool = getAt(ctx.config, path.slice(1, -1));
                ctx.onChange(
                  path.slice(0, -1),
                  withPickedMcpTool(
                    typeof tool === "object" && tool !== null
                      ? (tool as Record<string, unknown>)
                      : {},
                    picked,
                  ),
                );
              }
            : undefined
        }
        disabled={ctx.readOnly}
      />
    );
  } else if (field.kind === "credential") {
    control = (
      <CredentialPicker
        id={id}
        label={field.label}
        credentialTypes={field.credentialTypes}
        value={typeof value === "string" && value !== "" ? value : undefined}
        onValueChange={set}
        required={field.required}
        disabled={ctx.readOnly}
      />
    );
  } else {
    control = (
      <JsonEditor
        value={value}
        onValueChange={set}
        upstream={ctx.upstream}
        variables={ctx.variables}
        disabled={ctx.readOnly}
        expressions={field.expressions}
      />
    );
  }

  return (
    <div className="relative" data-field={key}>
      {toggle ? <span className="absolute top-0 right-0">{toggle}</span> : null}
      <FormField id={id} label={labelOf(field)} hint={hintOf(field)} error={problems}>
        {control as ReactElement}
      </FormField>
    </div>
  );
}
