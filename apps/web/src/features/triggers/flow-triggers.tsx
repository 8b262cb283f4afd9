"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";

import type { RouterOutputs } from "@runnel/api";
import {
  Alert,
  Badge,
  Card,
  CardContent,
  CardHeader,
  CardTitle,
  Switch,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@runnel/ui";

import { CopyField } from "~/components/copy-field";
import { formatDateTime } from "~/lib/format";
import { formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { RotateSecret } from "./rotate-secret";
import { ScheduleDialog } from "./schedule-dialog";
import { webhookMethods } from "./webhook-methods";

type Triggers = RouterOutputs["triggers"]["list"];
type Schedule = Triggers["schedules"][number];

function ScheduleRow({
  schedule,
  flowId,
  flowName,
  canEdit,
}: {
  schedule: Schedule;
  flowId: string;
  flowName: string;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.triggers.updateSchedule.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.triggers.pathKey() }),
    }),
  );
  return (
    <TableRow>
      <TableCell className="font-mono text-xs">{schedule.cron}</TableCell>
      <TableCell>{schedule.timezone}</TableCell>
      <TableCell>{schedule.enabled ? formatDateTime(schedule.nextRunAt) : "—"}</TableCell>
      <TableCell>{formatDateTime(schedule.lastRunAt, "Never")}</TableCell>
      <TableCell>
        <Switch
          checked={schedule.enabled}
          disabled={!canEdit || update.isPending}
          aria-label={`Schedule ${schedule.cron} enabled`}
          onCheckedChange={(enabled) => update.mutate({ id: schedule.id, enabled })}
        />
        {update.error ? (
          <p role="alert" className="text-xs text-danger">
            {formErrorOf(update.error)}
          </p>
        ) : null}
      </TableCell>
      <TableCell className="text-right">
        {canEdit ? (
          <ScheduleDialog flowId={flowId} flowName={flowName} schedule={schedule} />
        ) : null}
      </TableCell>
    </TableRow>
  );
}

/** A flow's webhook URLs (with methods and secret rotation) and schedules (with next run and a switch). */
export function FlowTriggers({
  flow,
  triggers,
  canEdit,
}: {
  flow: { id: string; name: string; latestVersion: number | null };
  triggers: Triggers;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const version = useQuery({
    ...trpc.flows.version.queryOptions({ id: flow.id, number: flow.latestVersion ?? 1 }),
    enabled: flow.latestVersion !== null && triggers.webhooks.length > 0,
  });
  const methods = webhookMethods(version.data?.definition);
  const titleId = `flow-${flow.id}-triggers`;
  return (
    <Card aria-labelledby={titleId}>
      <CardHeader className="flex-row items-center justify-between gap-4">
        <CardTitle id={titleId}>
          <Link href={`/flows/${flow.id}`} className="hover:underline">
            {flow.name}
          </Link>
        </CardTitle>
        {canEdit ? <ScheduleDialog flowId={flow.id} flowName={flow.name} /> : null}
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {triggers.webhooks.length > 0 ? (
          <div className="flex flex-col gap-3">
            <h3 className="text-sm font-semibold">Webhooks</h3>
            <ul className="flex flex-col gap-4">
              {triggers.webhooks.map((hook) => (
                <li key={hook.id} className="flex flex-col gap-2">
                  <div className="flex flex-wrap items-center gap-2 text-sm">
                    <code className="font-mono">{hook.nodeId}</code>
                    {(methods[hook.nodeId ?? ""] ?? []).map((method) => (
                      <Badge key={method}>{method}</Badge>
                    ))}
                    <Badge variant={hook.hasSecret ? "success" : "neutral"}>
                      {hook.hasSecret ? "Signed" : "No signing secret"}
                    </Badge>
                    {hook.enabled ? null : <Badge variant="danger">Disabled</Badge>}
                    {canEdit ? (
                      <span className="ml-auto">
                        <RotateSecret triggerId={hook.id} nodeId={hook.nodeId ?? hook.hookId} />
                      </span>
                    ) : null}
                  </div>
                  <CopyField
                    id={`hook-${hook.id}`}
                    label={`Webhook URL of ${flow.name} ${hook.nodeId ?? ""}`.trim()}
                    value={hook.url}
                  />
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {triggers.schedules.length > 0 ? (
          <div className="flex flex-col gap-2">
            <h3 className="text-sm font-semibold">Schedules</h3>
            <Table>
              <TableCaption>Schedules of {flow.name}</TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>Cron</TableHead>
                  <TableHead>Time zone</TableHead>
                  <TableHead>Next run</TableHead>
                  <TableHead>Last run</TableHead>
                  <TableHead>Enabled</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {triggers.schedules.map((schedule) => (
                  <ScheduleRow
                    key={schedule.id}
                    schedule={schedule}
                    flowId={flow.id}
                    flowName={flow.name}
                    canEdit={canEdit}
                  />
                ))}
              </TableBody>
            </Table>
          </div>
        ) : null}
        {version.error ? <Alert variant="danger">{version.error.message}</Alert> : null}
      </CardContent>
    </Card>
  );
}
