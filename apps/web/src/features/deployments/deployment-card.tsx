"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";

import type { RouterOutputs } from "@runnel/api";
import {
  Alert,
  Badge,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  Label,
  Switch,
  Tabs,
  TabsContent,
  TabsList,
  TabsTrigger,
} from "@runnel/ui";

import type { ExampleTarget } from "./examples";
import { CopyField } from "~/components/copy-field";
import { formatDateTime } from "~/lib/format";
import { formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { CodeBlock } from "./code-block";
import { DeployDialog } from "./deploy-dialog";
import { curlExample, openapiFetchExample, runnelClientExample } from "./examples";
import { McpTool } from "./mcp-tool";

export type Deployment = RouterOutputs["deployments"]["list"][number];

/** One deployed flow: endpoint URL, on/off switch, version, and code samples. */
export function DeploymentCard({
  deployment,
  origin,
  body,
  canEdit,
}: {
  deployment: Deployment;
  origin: string;
  /** An example request body made from the version's input schema. */
  body: unknown;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.deployments.openapi.queryKey() }),
    ]);
  const publish = useMutation(trpc.deployments.publish.mutationOptions({ onSuccess: refresh }));
  const unpublish = useMutation(trpc.deployments.unpublish.mutationOptions({ onSuccess: refresh }));
  const pending = publish.isPending || unpublish.isPending;
  const error = publish.error ?? unpublish.error;
  const target: ExampleTarget = {
    url: `${origin}${deployment.endpoint}`,
    baseUrl: origin,
    path: deployment.endpoint,
    flowId: deployment.flowId,
    versionNumber: deployment.versionNumber,
    body,
  };
  const titleId = `deployment-${deployment.id}-title`;
  const switchId = `deployment-${deployment.id}-enabled`;

  return (
    <Card aria-labelledby={titleId}>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-4">
        <div className="flex flex-col gap-1">
          <div className="flex items-center gap-2">
            <CardTitle id={titleId}>{deployment.flowName}</CardTitle>
            <Badge variant={deployment.enabled ? "success" : "neutral"}>
              {deployment.enabled ? "Live" : "Disabled"}
            </Badge>
          </div>
          <CardDescription>
            Version {deployment.versionNumber} · updated {formatDateTime(deployment.updatedAt)} ·{" "}
            <Link
              href={`/flows/${deployment.flowId}`}
              className="text-link underline underline-offset-2"
            >
              Open flow
            </Link>
          </CardDescription>
        </div>
        <div className="flex items-center gap-3">
          <div className="flex items-center gap-2">
            <Switch
              id={switchId}
              checked={deployment.enabled}
              disabled={!canEdit || pending}
              onCheckedChange={(enabled) =>
                enabled
                  ? publish.mutate({ flowId: deployment.flowId, versionId: deployment.versionId })
                  : unpublish.mutate({ flowId: deployment.flowId })
              }
            />
            <Label htmlFor={switchId}>Enabled</Label>
          </div>
          {canEdit ? (
            <DeployDialog
              flowId={deployment.flowId}
              flowName={deployment.flowName}
              currentVersionId={deployment.versionId}
            />
          ) : null}
        </div>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {error ? <Alert variant="danger">{formErrorOf(error)}</Alert> : null}
        <CopyField
          id={`deployment-${deployment.id}-url`}
          label={`Endpoint URL of ${deployment.flowName}`}
          value={target.url}
        />
        <McpTool deployment={deployment} origin={origin} canEdit={canEdit} />
        <Tabs defaultValue="curl">
          <TabsList aria-label={`Examples for ${deployment.flowName}`}>
            <TabsTrigger value="curl">curl</TabsTrigger>
            <TabsTrigger value="openapi-fetch">openapi-fetch</TabsTrigger>
            <TabsTrigger value="client">@runnel/client</TabsTrigger>
          </TabsList>
          <TabsContent value="curl">
            <CodeBlock
              code={curlExample(target)}
              label={`curl example for ${deployment.flowName}`}
            />
          </TabsContent>
          <TabsContent value="openapi-fetch">
            <CodeBlock
              code={openapiFetchExample(target)}
              label={`openapi-fetch example for ${deployment.flowName}`}
            />
          </TabsContent>
          <TabsContent value="client">
            <CodeBlock
              code={runnelClientExample(target)}
              label={`@runnel/client example for ${deployment.flowName}`}
            />
          </TabsContent>
        </Tabs>
      </CardContent>
    </Card>
  );
}
