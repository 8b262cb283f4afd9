"use client";

import { useQuery } from "@tanstack/react-query";
import { BookOpen, Rocket } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";

import { Alert, Button, EmptyState, LoadingRows } from "@runnel/ui";

import { atLeast } from "~/lib/roles";
import { useTRPC } from "~/trpc/react";
import { DeployDialog } from "./deploy-dialog";
import { DeploymentCard } from "./deployment-card";
import { apiReferenceModel, flowOperation } from "./openapi-model";
import { useOrigin } from "./use-origin";

export function DeploymentsView() {
  const trpc = useTRPC();
  const origin = useOrigin();
  const me = useQuery(trpc.me.get.queryOptions());
  const deployments = useQuery(trpc.deployments.list.queryOptions());
  const openapi = useQuery(trpc.deployments.openapi.queryOptions());
  const model = useMemo(
    () => (openapi.data ? apiReferenceModel(openapi.data) : null),
    [openapi.data],
  );
  const canEdit = me.data ? atLeast(me.data.activeOrg.role, "editor") : false;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap gap-2">
        {canEdit ? <DeployDialog /> : null}
        <Button asChild variant="secondary">
          <Link href="/deployments/reference">
            <BookOpen aria-hidden="true" />
            API reference
          </Link>
        </Button>
      </div>
      {deployments.error ? (
        <Alert variant="danger">Could not load deployments: {deployments.error.message}</Alert>
      ) : !deployments.data || !me.data ? (
        <LoadingRows label="Loading deployments…" />
      ) : deployments.data.length === 0 ? (
        <EmptyState
          icon={Rocket}
          title="No deployed flows yet"
          description="Deploying a published version gives its flow a REST endpoint that starts runs, typed by the flow's input schema."
        />
      ) : (
        <ul className="flex flex-col gap-4" aria-label="Deployed flows">
          {deployments.data.map((deployment) => (
            <li key={deployment.id}>
              <DeploymentCard
                deployment={deployment}
                origin={origin}
                canEdit={canEdit}
                body={
                  model
                    ? (flowOperation(model, deployment.endpoint)?.requestBody?.example ?? {})
                    : {}
                }
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
