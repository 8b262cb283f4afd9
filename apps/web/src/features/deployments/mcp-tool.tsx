"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { Alert, Button, FormField, Input, Label, Switch, Textarea } from "@runnel/ui";

import type { Deployment } from "./deployment-card";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

/**
 * Offers the deployment as a tool on the org's MCP endpoint (`/api/mcp`): an on/off switch, and the tool's name and
 * description (docs/mcp.md).
 */
export function McpTool({
  deployment,
  origin,
  canEdit,
}: {
  deployment: Deployment;
  origin: string;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const setMcp = useMutation(
    trpc.deployments.setMcp.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey() }),
    }),
  );
  const enabled = deployment.mcp?.enabled === true;
  const [toolName, setToolName] = useState(deployment.mcp?.toolName ?? "");
  const [description, setDescription] = useState(deployment.mcp?.description ?? "");
  const id = `deployment-${deployment.id}-mcp`;
  const fieldErrors = fieldErrorsOf(setMcp.error);
  const save = (on: boolean) =>
    setMcp.mutate({
      flowId: deployment.flowId,
      enabled: on,
      ...(toolName.trim() === "" ? {} : { toolName: toolName.trim() }),
      ...(description.trim() === "" ? {} : { description: description.trim() }),
    });

  return (
    <section
      aria-labelledby={`${id}-title`}
      className="flex flex-col gap-3 rounded-md border border-border p-3"
    >
      <div className="flex items-center gap-2">
        <Switch
          id={id}
          checked={enabled}
          disabled={!canEdit || setMcp.isPending}
          onCheckedChange={save}
        />
        <Label htmlFor={id} id={`${id}-title`}>
          MCP tool
        </Label>
        <span className="text-sm text-fg-muted">
          {enabled
            ? `Offered as "${deployment.mcp?.toolName ?? ""}" at ${origin}/api/mcp`
            : "Not offered to MCP clients"}
        </span>
      </div>
      {canEdit ? (
        <form
          className="grid gap-3 sm:grid-cols-2"
          onSubmit={(event) => {
            event.preventDefault();
            save(enabled);
          }}
        >
          <FormField
            id={`${id}-name`}
            label="Tool name"
            hint="Letters, digits, _ and -; default: the slug"
            error={fieldErrors.toolName}
          >
            <Input value={toolName} onChange={(event) => setToolName(event.target.value)} />
          </FormField>
          <FormField
            id={`${id}-description`}
            label="Tool description"
            hint="What the model reads; default: the flow's description"
            error={fieldErrors.description}
          >
            <Textarea
              rows={2}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </FormField>
          <div>
            <Button type="submit" variant="secondary" disabled={setMcp.isPending}>
              Save MCP tool
            </Button>
          </div>
        </form>
      ) : null}
      {setMcp.error && formErrorOf(setMcp.error) ? (
        <Alert variant="danger">{formErrorOf(setMcp.error)}</Alert>
      ) : null}
    </section>
  );
}
