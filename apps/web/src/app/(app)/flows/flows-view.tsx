"use client";

import type { ChangeEvent, FormEvent } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Download, FileUp, Plus, Workflow } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useId, useState } from "react";

import {
  Alert,
  Badge,
  Button,
  Card,
  CardContent,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  EmptyState,
  FormField,
  Input,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Textarea,
} from "@runnel/ui";

import { ConfirmButton } from "~/components/confirm-button";
import { formText } from "~/lib/form";
import { formatDateTime } from "~/lib/format";
import { atLeast } from "~/lib/roles";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

const PAGE_SIZE = 25;

export function FlowsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const searchId = useId();
  // One infinite query per search: "Load more" fetches the page after the last page's nextCursor; a new search is
  // a new query, so it starts again from the first page.
  const list = useInfiniteQuery(
    trpc.flows.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(deferredSearch ? { search: deferredSearch } : {}) },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.flows.list.pathKey() });
  const duplicate = useMutation(trpc.flows.duplicate.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.flows.delete.mutationOptions({ onSuccess: refresh }));
  const [exportError, setExportError] = useState<string | null>(null);
  const canEdit = me.data ? atLeast(me.data.activeOrg.role, "editor") : false;

  async function exportFlow(id: string, slug: string) {
    setExportError(null);
    try {
      const document = await queryClient.fetchQuery(trpc.flows.export.queryOptions({ id }));
      const blob = new Blob([`${JSON.stringify(document, null, 2)}\n`], {
        type: "application/json",
      });
      const url = URL.createObjectURL(blob);
      const link = Object.assign(window.document.createElement("a"), {
        href: url,
        download: `${slug}.runnel.json`,
      });
      link.click();
      URL.revokeObjectURL(url);
    } catch (cause) {
      setExportError(cause instanceof Error ? cause.message : "The flow could not be exported.");
    }
  }

  if (list.error) return <Alert variant="danger">{list.error.message}</Alert>;
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const actionError = duplicate.error ?? remove.error;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="flex w-full max-w-sm flex-col gap-1">
          <label htmlFor={searchId} className="text-sm font-medium">
            Search flows
          </label>
          <Input
            id={searchId}
            type="search"
            placeholder="Flow name"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        {canEdit ? (
          <div className="flex gap-2">
            <ImportFlowButton onImported={refresh} />
            <CreateFlowButton />
          </div>
        ) : null}
      </div>
      {actionError ? <Alert variant="danger">{actionError.message}</Alert> : null}
      {exportError ? <Alert variant="danger">{exportError}</Alert> : null}
      {!list.data ? (
        <p className="text-sm text-fg-muted">Loading flows…</p>
      ) : items.length === 0 ? (
        deferredSearch ? (
          <EmptyState
            icon={Workflow}
            title={`No flow matches “${deferredSearch}”`}
            description="Search looks for the text anywhere in a flow's name."
          />
        ) : (
          <EmptyState
            icon={Workflow}
            title="No flows yet"
            description={
              canEdit
                ? "Create a flow, then drag a trigger (Manual, Webhook, Schedule or API endpoint) onto the canvas and connect the nodes that should run after it. Or import a flow exported from another Runnel."
                : "Editors of this organization can create flows; you can open them here once they exist."
            }
            action={canEdit ? <CreateFlowButton /> : undefined}
          />
        )
      ) : (
        <Card>
          <CardContent className="p-0">
            <Table>
              <TableCaption className="sr-only">Flows</TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Updated</TableHead>
                  <TableHead>Published</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((flow) => (
                  <TableRow key={flow.id} data-testid={`flow-${flow.slug}`}>
                    <TableCell>
                      <Link
                        href={`/flows/${flow.id}`}
                        className="font-medium text-link hover:underline"
                      >
                        {flow.name}
                      </Link>
                      {flow.description ? (
                        <p className="text-xs text-fg-muted">{flow.description}</p>
                      ) : null}
                    </TableCell>
                    <TableCell>{formatDateTime(flow.updatedAt)}</TableCell>
                    <TableCell>
                      <span className="flex items-center gap-2">
                        {flow.latestVersion === null ? (
                          <span className="text-sm text-fg-muted">Draft only</span>
                        ) : (
                          <span className="text-sm">v{flow.latestVersion}</span>
                        )}
                        {flow.deployed ? <Badge variant="success">Deployed</Badge> : null}
                      </span>
                    </TableCell>
                    <TableCell>
                      <div className="flex justify-end gap-2">
                        {canEdit ? (
                          <Button
                            variant="secondary"
                            size="sm"
                            aria-label={`Duplicate ${flow.name}`}
                            disabled={duplicate.isPending}
                            onClick={() => duplicate.mutate({ id: flow.id })}
                          >
                            Duplicate
                          </Button>
                        ) : null}
                        <Button
                          variant="secondary"
                          size="sm"
                          aria-label={`Export ${flow.name}`}
                          onClick={() => void exportFlow(flow.id, flow.slug)}
                        >
                          <Download aria-hidden="true" />
                          Export
                        </Button>
                        {canEdit ? (
                          <ConfirmButton
                            label={`Delete ${flow.name}`}
                            title={`Delete ${flow.name}?`}
                            description="The flow, its versions and its deployment stop working. Runs already made stay in the run history."
                            confirmLabel="Delete flow"
                            onConfirm={() => remove.mutate({ id: flow.id })}
                            pending={remove.isPending}
                          >
                            Delete
                          </ConfirmButton>
                        ) : null}
                      </div>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      )}
      {list.hasNextPage || list.isFetchingNextPage ? (
        <Button
          variant="secondary"
          className="self-center"
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {list.isFetchingNextPage ? "Loading…" : "Load more flows"}
        </Button>
      ) : null}
    </div>
  );
}

function CreateFlowButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const create = useMutation(
    trpc.flows.create.mutationOptions({ onSuccess: (flow) => router.push(`/flows/${flow.id}`) }),
  );
  const fieldErrors = fieldErrorsOf(create.error);
  const formError = formErrorOf(create.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    create.mutate({ name: formText(data, "name"), description: formText(data, "description") });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) create.reset();
      }}
    >
      <Button onClick={() => setOpen(true)}>
        <Plus aria-hidden="true" />
        New flow
      </Button>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New flow</DialogTitle>
          <DialogDescription>
            Name it after what it does, e.g. “Summarise support tickets”.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          {formError ? <Alert variant="danger">{formError}</Alert> : null}
          <FormField id="flow-name" label="Flow name" error={fieldErrors.name}>
            <Input name="name" autoComplete="off" />
          </FormField>
          <FormField
            id="flow-description"
            label="Description (optional)"
            error={fieldErrors.description}
          >
            <Input name="description" autoComplete="off" />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={create.isPending || create.isSuccess}>
              {create.isPending || create.isSuccess ? "Creating…" : "Create and open"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Problems of an import, one line per field: "definition.nodes.0.id: …". */
export function importProblems(error: unknown): string[] {
  return Object.entries(fieldErrorsOf(error)).flatMap(([path, messages]) =>
    (messages ?? []).map((message) => `${path.replace(/^document\./, "")}: ${message}`),
  );
}

function ImportFlowButton({ onImported }: { onImported: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [parseError, setParseError] = useState<string | null>(null);
  const importFlow = useMutation(
    trpc.flows.import.mutationOptions({
      onSuccess: (flow) => {
        onImported();
        router.push(`/flows/${flow.id}`);
      },
    }),
  );
  const problems = importProblems(importFlow.error);
  const formError = formErrorOf(importFlow.error);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file) setText(await file.text());
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setParseError(null);
    importFlow.reset();
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (cause) {
      setParseError(
        `This is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
      return;
    }
    const name = formText(new FormData(event.currentTarget), "name");
    // The server validates the document and names every wrong field.
    importFlow.mutate({
      document: document as Parameters<typeof importFlow.mutate>[0]["document"],
      ...(name ? { name } : {}),
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) {
          importFlow.reset();
          setParseError(null);
        }
      }}
    >
      <Button variant="secondary" onClick={() => setOpen(true)}>
        <FileUp aria-hidden="true" />
        Import
      </Button>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>Import a flow</DialogTitle>
          <DialogDescription>
            Choose a file exported from Runnel (<code className="font-mono">*.runnel.json</code>) or
            paste its JSON. The flow is created as a new draft; nothing in it runs.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="flex flex-col gap-4">
          <FormField id="import-file" label="File">
            <Input
              type="file"
              accept="application/json,.json"
              onChange={(event) => void onFile(event)}
            />
          </FormField>
          <FormField id="import-json" label="Flow JSON">
            <Textarea
              rows={10}
              className="font-mono text-xs"
              value={text}
              onChange={(event) => setText(event.target.value)}
            />
          </FormField>
          <FormField id="import-name" label="Name (optional, replaces the document's name)">
            <Input name="name" autoComplete="off" />
          </FormField>
          {parseError ? <Alert variant="danger">{parseError}</Alert> : null}
          {problems.length > 0 ? (
            <Alert variant="danger">
              <p className="font-medium">
                The document has {problems.length} problem{problems.length === 1 ? "" : "s"}:
              </p>
              <ul className="mt-1 list-disc pl-5 font-mono text-xs">
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </Alert>
          ) : formError ? (
            <Alert variant="danger">{formError}</Alert>
          ) : null}
          <DialogFooter>
            <Button
              type="submit"
              disabled={!text.trim() || importFlow.isPending || importFlow.isSuccess}
            >
              {importFlow.isPending || importFlow.isSuccess ? "Importing…" : "Import flow"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
