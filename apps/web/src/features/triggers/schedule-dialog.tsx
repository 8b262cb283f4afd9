"use client";

import type { FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Plus } from "lucide-react";
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
  Input,
} from "@runnel/ui";

import { formText } from "~/lib/form";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

const TIME_ZONES_ID = "runnel-time-zones";

/** A <datalist> of the browser's IANA time zones, rendered once per page for the time zone inputs. */
export function TimeZoneList() {
  const zones =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return (
    <datalist id={TIME_ZONES_ID}>
      {["UTC", ...zones.filter((zone) => zone !== "UTC")].map((zone) => (
        <option key={zone} value={zone} />
      ))}
    </datalist>
  );
}

/** Adds a schedule to a flow, or edits one (`schedule` given): cron and time zone, with field errors. */
export function ScheduleDialog({
  flowId,
  flowName,
  schedule,
}: {
  flowId: string;
  flowName: string;
  schedule?: { id: string; cron: string; timezone: string; nodeId: string | null };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const onSuccess = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.triggers.pathKey() });
    setOpen(false);
  };
  const create = useMutation(trpc.triggers.createSchedule.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.triggers.updateSchedule.mutationOptions({ onSuccess }));
  const mutation = schedule ? update : create;
  const fieldErrors = fieldErrorsOf(mutation.error);
  const formError = formErrorOf(mutation.error);
  const prefix = `schedule-${schedule?.id ?? flowId}`;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const cron = formText(form, "cron");
    const timezone = formText(form, "timezone").trim() || "UTC";
    if (schedule) update.mutate({ id: schedule.id, cron, timezone });
    else create.mutate({ flowId, cron, timezone });
  }

  const label = schedule
    ? `Edit schedule ${schedule.cron} of ${flowName}`
    : `Add schedule to ${flowName}`;
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) mutation.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" aria-label={label}>
          {schedule ? (
            "Edit"
          ) : (
            <>
              <Plus aria-hidden="true" />
              Add schedule
            </>
          )}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{schedule ? "Edit schedule" : `New schedule for ${flowName}`}</DialogTitle>
          <DialogDescription>
            {schedule?.nodeId
              ? `This schedule belongs to the Schedule trigger ${schedule.nodeId}: publishing a new version sets its cron and time zone from the node again.`
              : "Runs start at the flow's Schedule trigger at each time the cron expression matches, in the time zone given."}
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          {formError ? <Alert variant="danger">{formError}</Alert> : null}
          <FormField
            id={`${prefix}-cron`}
            label="Cron expression"
            hint="Five or six fields, e.g. 0 9 * * 1-5 (9:00 on weekdays)."
            error={fieldErrors.cron}
          >
            <Input
              name="cron"
              defaultValue={schedule?.cron ?? ""}
              className="font-mono"
              autoComplete="off"
            />
          </FormField>
          <FormField id={`${prefix}-timezone`} label="Time zone" error={fieldErrors.timezone}>
            <Input
              name="timezone"
              defaultValue={schedule?.timezone ?? "UTC"}
              list={TIME_ZONES_ID}
              autoComplete="off"
            />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={mutation.isPending}>
              {mutation.isPending ? "Saving…" : schedule ? "Save schedule" : "Add schedule"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
