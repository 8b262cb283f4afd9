"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@runnel/ui";

import type { OptionSource } from "./field-model";
import type { OptionsInputProps } from "./options-input";
import { useTRPC } from "~/trpc/react";
import { listableMcpServer } from "./mcp-tools";
import { OptionsInput } from "./options-input";

export interface OptionsFieldProps extends Omit<OptionsInputProps, "options" | "listLabel"> {
  source: OptionSource;
  /** The value of the field the options depend on (the credential id for `models`, the server for `mcpTools`). */
  dependency: unknown;
}

/**
 * A text field with suggestions fetched for its `ui` hint: for `models`, the model ids of the chosen credential
 * (`credentials.models`); for `mcpTools`, the tools of the MCP server (`mcp.tools`). Typing a value by hand works in
 * every state.
 */
export function OptionsField({ source, dependency, ...input }: OptionsFieldProps) {
  return source === "mcpTools" ? (
    <McpToolsField server={dependency} {...input} />
  ) : (
    <ModelsField credential={dependency} {...input} />
  );
}

type InputProps = Omit<OptionsInputProps, "options" | "listLabel">;

/** The provider's model list is cached this long; "Test connection" refreshes it. */
const MODELS_STALE_MS = 5 * 60_000;

/** Model ids of the chosen credential; says when there is nothing to list yet, while it loads and why it failed. */
function ModelsField({ credential, ...input }: InputProps & { credential: unknown }) {
  const trpc = useTRPC();
  const credentialId = typeof credential === "string" && credential !== "" ? credential : null;
  const models = useQuery({
    ...trpc.credentials.models.queryOptions({ id: credentialId ?? "" }),
    enabled: credentialId !== null,
    staleTime: MODELS_STALE_MS,
    retry: false,
  });

  let status: string;
  if (credentialId === null) status = "Choose a credential to list its models, or type a model id.";
  else if (models.isPending) status = "Loading models…";
  else if (models.error)
    status = `Could not list models: ${models.error.message}. Type a model id.`;
  else if (models.data.models.length === 0)
    status = "The provider lists no models; type a model id.";
  else status = `${models.data.models.length} models; type to filter, or type any other model id.`;

  return (
    <div className="flex flex-col gap-1">
      <OptionsInput {...input} options={models.data?.models} listLabel="Models" />
      <OptionsStatus error={Boolean(models.error)} loading={models.isFetching} text={status} />
    </div>
  );
}

/**
 * The tools of the tool's MCP server, listed when the user asks ("List tools"): the server is called only then,
 * not on each keystroke in its URL. Editing the server asks again.
 */
function McpToolsField({ server, ...input }: InputProps & { server: unknown }) {
  const trpc = useTRPC();
  const listable = listableMcpServer(server);
  const serverKey = "server" in listable ? JSON.stringify(listable.server) : null;
  const [requested, setRequested] = useState<string | null>(null);
  const asked = serverKey !== null && requested === serverKey;
  const tools = useQuery({
    ...trpc.mcp.tools.queryOptions("server" in listable ? listable.server : { url: "" }),
    enabled: asked,
    retry: false,
  });
  const listed = asked ? tools.data?.tools : undefined;
  const descriptions = new Map(listed?.map((tool) => [tool.name, tool.description]));

  let status: string;
  if ("reason" in listable) status = listable.reason;
  else if (!asked) status = "List the server's tools to pick one, or type a tool name.";
  else if (tools.isPending) status = "Listing tools…";
  else if (tools.error) status = `Could not list tools: ${tools.error.message}`;
  else if (tools.data.tools.length === 0) status = "The server lists no tools.";
  else status = `${tools.data.tools.length} tools; type to filter, or type any other tool name.`;

  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <OptionsInput
            {...input}
            options={listed?.map((tool) => tool.name)}
            listLabel="MCP tools"
            describeOption={(name) => descriptions.get(name)}
          />
        </div>
        <Button
          variant="secondary"
          size="sm"
          className="h-9"
          disabled={input.disabled === true || serverKey === null || (asked && tools.isFetching)}
          onClick={() => {
            if (asked) void tools.refetch();
            else setRequested(serverKey);
          }}
        >
          List tools
        </Button>
      </div>
      <OptionsStatus
        error={asked && Boolean(tools.error)}
        loading={asked && tools.isFetching}
        text={status}
      />
    </div>
  );
}

function OptionsStatus({
  error,
  loading,
  text,
}: {
  error: boolean;
  loading: boolean;
  text: string;
}) {
  return (
    <p
      role="status"
      data-options-status={error ? "error" : loading ? "loading" : "ready"}
      className={error ? "text-xs text-danger" : "text-xs text-fg-muted"}
    >
      {text}
    </p>
  );
}
