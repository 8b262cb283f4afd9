"use client";

import type { ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Rocket } from "lucide-react";
import { useState } from "react";

import {
  Alert,
  Button,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
  FormField,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@runnel/ui";

import { formatDateTime } from "~/lib/format";
import { formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

const LATEST = "latest";

/** A Select whose trigger takes the id and aria attributes FormField passes down (so the label names it). */
function FieldSelect({
  value,
  onValueChange,
  disabled,
  placeholder,
  children,
  ...trigger
}: {
  value: string;
  onValueChange: (value: string) => void;
  disabled?: boolean;
  placeholder: string;
  children: ReactNode;
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}) {
  return (
    <Select value={value} onValueChange={onValueChange} disabled={disabled}>
      <SelectTrigger {...trigger}>
        <SelectValue placeholder={placeholder} />
      </SelectTrigger>
      <SelectContent>{children}</SelectContent>
    </Select>
  );
}

/**
 * Publishes a version of a flow to its endpoint: choose the flow (unless given) and a published version (default:
 * the latest). Re-pinning an existing deployment uses the same dialog.
 */
export function DeployDialog({
  flowId: fixedFlowId,
  flowName,
  currentVersionId,
}: {
  flowId?: string;
  flowName?: string;
  currentVersionId?: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [chosenFlow, setChosenFlow] = useState<string>("");
  const [version, setVersion] = useState<string>(currentVersionId ?? LATEST);
  const flowId = fixedFlowId ?? chosenFlow;
  const flows = useQuery({
    ...trpc.flows.list.queryOptions({ limit: 100 }),
    enabled: open && !fixedFlowId,
  });
  const versions = useQuery({
    ...trpc.flows.versions.queryOptions({ id: flowId }),
    enabled: open && flowId !== "",
  });
  const publish = useMutation(
    trpc.deployments.publish.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.deployments.openapi.queryKey() }),
        ]);
        setOpen(false);
      },
    }),
  );
  const publishable = flows.data?.items.filter((flow) => flow.latestVersion !== null) ?? [];
  const idPrefix = `deploy-${fixedFlowId ?? "new"}`;

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) publish.reset();
      }}
    >
      <DialogTrigger asChild>
        {fixedFlowId ? (
          <Button
            variant="secondary"
            size="sm"
            aria-label={`Change version of ${flowName ?? "flow"}`}
          >
            Change version
          </Button>
        ) : (
          <Button>
            <Rocket aria-hidden="true" />
            Deploy a flow
          </Button>
        )}
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>
            {fixedFlowId ? `Deploy ${flowName ?? "flow"}` : "Deploy a flow"}
          </DialogTitle>
          <DialogDescription>
            The flow&apos;s endpoint runs the version you choose until you deploy another. Runs
            already started keep their version.
          </DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-4">
          {publish.error ? <Alert variant="danger">{formErrorOf(publish.error)}</Alert> : null}
          {fixedFlowId ? null : (
            <FormField id={`${idPrefix}-flow`} label="Flow">
              <FieldSelect
                value={chosenFlow}
                onValueChange={(value) => {
                  setChosenFlow(value);
                  setVersion(LATEST);
                }}
                placeholder={flows.isLoading ? "Loading flows…" : "Choose a flow"}
              >
                {publishable.map((flow) => (
                  <SelectItem key={flow.id} value={flow.id}>
                    {flow.name}
                  </SelectItem>
                ))}
              </FieldSelect>
            </FormField>
          )}
          {!fixedFlowId && flows.data && publishable.length === 0 ? (
            <Alert>No flow has a published version yet. Publish one in the editor first.</Alert>
          ) : null}
          <FormField id={`${idPrefix}-version`} label="Version">
            <FieldSelect
              value={version}
              onValueChange={setVersion}
              disabled={flowId === ""}
              placeholder="Choose a version"
            >
              <SelectItem value={LATEST}>Latest published version</SelectItem>
              {versions.data?.map((item) => (
                <SelectItem key={item.id} value={item.id}>
                  {`v${item.number} · ${formatDateTime(item.createdAt)}${item.message ? ` · ${item.message}` : ""}`}
                </SelectItem>
              ))}
            </FieldSelect>
          </FormField>
        </div>
        <DialogFooter>
          <Button
            disabled={flowId === "" || publish.isPending}
            onClick={() =>
              publish.mutate({ flowId, ...(version === LATEST ? {} : { versionId: version }) })
            }
          >
            {publish.isPending ? "Deploying…" : "Deploy"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
