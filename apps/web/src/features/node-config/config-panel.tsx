"use client";

import { useId, useMemo } from "react";

import {
  Alert,
  Badge,
  FormField,
  Input,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@runnel/ui";

import type { FormContext } from "./config-form";
import type {
  CatalogueEntry,
  FlowNode,
  NodePatch,
  NodeProblem,
  NodeSettings,
  OnError,
  UpstreamNode,
} from "./types";
import { ConfigFields } from "./config-form";
import { configModel } from "./field-model";
import { assignProblems, fieldKeys } from "./problems";
import { setAt } from "./value-path";

export interface ConfigPanelProps {
  node: FlowNode;
  /** The node type's catalogue entry (undefined when the type or version is unknown). */
  entry: CatalogueEntry | undefined;
  /** Nodes this node depends on: expressions may read `nodes.<id>` of these only. */
  upstream: UpstreamNode[];
  problems: NodeProblem[];
  /** Names of the flow's variables, offered after `vars.` in expressions. */
  variables?: readonly string[];
  readOnly?: boolean;
  /** Called on every change with the changed parts; the editor owns undo and autosave. */
  onChange: (patch: NodePatch) => void;
}

const ON_ERROR: { value: OnError; label: string }[] = [
  { value: "fail", label: "Fail the run" },
  { value: "continue", label: "Continue with the error as output" },
  { value: "error_port", label: "Route to the error port" },
];

const NO_VARIABLES: readonly string[] = [];
const SETTING_KEYS = ["name", "settings.retries", "settings.timeoutMs", "settings.onError"];

/**
 * The selected node's name, config (a form generated from its config JSON Schema, with expression completion and
 * credential pickers) and run settings (retries, timeout, error handling).
 */
export function ConfigPanel({
  node,
  entry,
  upstream,
  problems,
  variables = NO_VARIABLES,
  readOnly = false,
  onChange,
}: ConfigPanelProps) {
  const idPrefix = useId().replace(/[^\w-]/g, "");
  const model = useMemo(
    () =>
      configModel(entry?.configSchema, {
        credentials: entry?.credentials ?? [],
        literal: entry?.literalConfig ?? [],
      }),
    [entry],
  );
  const keys = [...fieldKeys(model, node.config, ["config"]), ...SETTING_KEYS];
  const assigned = assignProblems(problems, keys);
  const ctx: FormContext = {
    config: node.config,
    upstream,
    variables,
    problems: assigned.byField,
    readOnly,
    idPrefix,
    onChange: (path, value) => {
      const config = setAt(node.config, path.slice(1), value);
      onChange({ config: (config ?? {}) as Record<string, unknown> });
    },
  };
  const setSettings = (patch: Partial<NodeSettings>) =>
    onChange({ settings: { ...node.settings, ...patch } });

  return (
    <section
      aria-label={`Configure ${node.name}`}
      className="flex flex-col gap-5"
      data-node-id={node.id}
    >
      <header className="flex flex-col gap-1">
        <div className="flex items-center gap-2">
          <h2 className="text-base font-semibold">{entry?.ui.label ?? node.type}</h2>
          <Badge>v{node.version}</Badge>
        </div>
        <p className="text-xs text-fg-muted">
          ID <code className="font-mono">{node.id}</code> · other nodes read its output as{" "}
          <code className="font-mono">{`{{ nodes.${node.id} }}`}</code>
        </p>
        {entry ? <p className="text-sm text-fg-muted">{entry.ui.description}</p> : null}
      </header>
      {entry ? null : (
        <Alert variant="danger">
          Node type “{node.type}” version {node.version} is not in the catalogue: its config cannot
          be edited here.
        </Alert>
      )}
      {assigned.general.length > 0 ? (
        <Alert variant="danger" aria-label="Node problems">
          <ul className="list-disc pl-4">
            {assigned.general.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      <fieldset disabled={readOnly} className="flex min-w-0 flex-col gap-5">
        <FormField id={`${idPrefix}-name`} label="Node name" error={assigned.byField.get("name")}>
          <Input
            value={node.name}
            autoComplete="off"
            onChange={(event) => onChange({ name: event.target.value })}
          />
        </FormField>
        {entry ? (
          <section aria-labelledby={`${idPrefix}-parameters`} className="flex flex-col gap-4">
            <h3 id={`${idPrefix}-parameters`} className="text-sm font-semibold">
              Parameters
            </h3>
            <ConfigFields root={model} value={node.config} ctx={ctx} />
          </section>
        ) : null}
        <section aria-labelledby={`${idPrefix}-settings`} className="flex flex-col gap-4">
          <h3 id={`${idPrefix}-settings`} className="text-sm font-semibold">
            Settings
          </h3>
          <div className="grid grid-cols-2 gap-3">
            <FormField
              id={`${idPrefix}-retries`}
              label="Retries"
              hint="Extra attempts after a failure (0–10), with backoff"
              error={assigned.byField.get("settings.retries")}
            >
              <Input
                type="number"
                min={0}
                max={10}
                step={1}
                value={String(node.settings.retries)}
                onChange={(event) => {
                  const value = Number(event.target.value);
                  if (event.target.value !== "" && Number.isInteger(value))
                    setSettings({ retries: value });
                }}
              />
            </FormField>
            <FormField
              id={`${idPrefix}-timeout`}
              label="Timeout (ms)"
              hint="Limit of one attempt (100 ms – 24 h)"
              error={assigned.byField.get("settings.timeoutMs")}
            >
              <Input
                type="number"
                min={100}
                max={86_400_000}
                step={100}
                value={String(node.settings.timeoutMs)}
                onChange={(event) => {
                  const value = Number(event.target.value);
                  if (event.target.value !== "" && Number.isInteger(value))
                    setSettings({ timeoutMs: value });
                }}
              />
            </FormField>
          </div>
          <FormField
            id={`${idPrefix}-on-error`}
            label="On error"
            hint="What happens after the last attempt fails"
            error={assigned.byField.get("settings.onError")}
          >
            <OnErrorSelect
              value={node.settings.onError}
              disabled={readOnly}
              onValueChange={(onError) => setSettings({ onError })}
            />
          </FormField>
        </section>
      </fieldset>
    </section>
  );
}

function OnErrorSelect({
  value,
  onValueChange,
  disabled,
  ...rest
}: {
  value: OnError;
  onValueChange: (value: OnError) => void;
  disabled: boolean;
}) {
  return (
    <Select
      value={value}
      disabled={disabled}
      onValueChange={(next) => {
        const option = ON_ERROR.find((o) => o.value === next);
        if (option) onValueChange(option.value);
      }}
    >
      <SelectTrigger {...rest}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {ON_ERROR.map((option) => (
          <SelectItem key={option.value} value={option.value}>
            {option.label}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
