"use client";

import { useQuery } from "@tanstack/react-query";
import { Download } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";

import {
  Alert,
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  LoadingRows,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@runnel/ui";

import type { OperationModel, SchemaRow } from "./openapi-model";
import { useTRPC } from "~/trpc/react";
import { CodeBlock } from "./code-block";
import { apiReferenceModel } from "./openapi-model";

function SchemaTable({ rows, caption }: { rows: SchemaRow[]; caption: string }) {
  if (rows.length === 0) return <p className="text-sm text-fg-muted">Any JSON value.</p>;
  return (
    <Table>
      <TableCaption>{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Field</TableHead>
          <TableHead>Type</TableHead>
          <TableHead>Required</TableHead>
          <TableHead>Description</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.name}>
            <TableCell className="font-mono text-xs">{row.name}</TableCell>
            <TableCell className="font-mono text-xs">{row.type}</TableCell>
            <TableCell>{row.required ? "yes" : "no"}</TableCell>
            <TableCell>{row.description}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Operation({ operation }: { operation: OperationModel }) {
  const headingId = `op-${operation.id}`;
  return (
    <Card aria-labelledby={headingId} id={operation.id}>
      <CardHeader>
        <CardTitle id={headingId} className="flex flex-wrap items-center gap-2">
          <Badge variant="primary">{operation.method}</Badge>
          <code className="font-mono text-sm break-all">{operation.path}</code>
        </CardTitle>
        <CardDescription>
          {operation.summary} <span className="font-mono text-xs">({operation.id})</span>
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {operation.description ? (
          <p className="text-sm whitespace-pre-line">{operation.description}</p>
        ) : null}
        {operation.parameters.length > 0 ? (
          <div className="flex flex-col gap-2">
            <h3 className="text-sm font-semibold">Parameters</h3>
            <Table>
              <TableCaption>Parameters of {operation.id}</TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>In</TableHead>
                  <TableHead>Type</TableHead>
                  <TableHead>Required</TableHead>
                  <TableHead>Description</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {operation.parameters.map((parameter) => (
                  <TableRow key={`${parameter.in}-${parameter.name}`}>
                    <TableCell className="font-mono text-xs">{parameter.name}</TableCell>
                    <TableCell>{parameter.in}</TableCell>
                    <TableCell className="font-mono text-xs">{parameter.type}</TableCell>
                    <TableCell>{parameter.required ? "yes" : "no"}</TableCell>
                    <TableCell>{parameter.description}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        ) : null}
        {operation.requestBody ? (
          <div className="flex flex-col gap-2">
            <h3 className="text-sm font-semibold">
              Request body{" "}
              <span className="font-normal text-fg-muted">({operation.requestBody.mediaType})</span>
            </h3>
            <SchemaTable
              rows={operation.requestBody.rows}
              caption={`Request body of ${operation.id}`}
            />
            <CodeBlock
              code={JSON.stringify(operation.requestBody.example, null, 2)}
              label={`Example request body of ${operation.id}`}
            />
          </div>
        ) : null}
        <div className="flex flex-col gap-2">
          <h3 className="text-sm font-semibold">Responses</h3>
          <ul className="flex flex-col gap-3">
            {operation.responses.map((response) => (
              <li key={response.status} className="flex flex-col gap-1">
                <p className="text-sm">
                  <Badge variant={response.status.startsWith("2") ? "success" : "neutral"}>
                    {response.status}
                  </Badge>{" "}
                  {response.description}
                  {response.mediaType ? (
                    <span className="text-fg-muted"> ({response.mediaType})</span>
                  ) : null}
                </p>
                {response.status.startsWith("2") && response.rows.length > 0 ? (
                  <SchemaTable
                    rows={response.rows}
                    caption={`${response.status} response of ${operation.id}`}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      </CardContent>
    </Card>
  );
}

/** The org's REST API rendered from its OpenAPI document: auth, then every operation with readable schemas. */
export function ApiReference() {
  const trpc = useTRPC();
  const openapi = useQuery(trpc.deployments.openapi.queryOptions());
  const model = useMemo(
    () => (openapi.data ? apiReferenceModel(openapi.data) : null),
    [openapi.data],
  );
  const download = useMemo(
    () =>
      openapi.data
        ? `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(openapi.data, null, 2))}`
        : null,
    [openapi.data],
  );

  if (openapi.error)
    return <Alert variant="danger">Could not load the API document: {openapi.error.message}</Alert>;
  if (!model) return <LoadingRows label="Loading the API reference…" rows={5} />;
  return (
    <div className="flex flex-col gap-6">
      <Card aria-labelledby="auth-heading">
        <CardHeader>
          <CardTitle id="auth-heading">Authentication</CardTitle>
          <CardDescription>
            Every request needs an API key of this organization (it acts with the editor role):{" "}
            <code className="font-mono">Authorization: Bearer rk_…</code>.{" "}
            <Link href="/settings/api-keys" className="text-link underline underline-offset-2">
              Manage API keys
            </Link>
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-2 text-sm">
          <p>
            Base URL: <code className="font-mono">{model.serverUrl}</code>
          </p>
          <ul className="list-disc pl-5">
            {model.security.map((scheme) => (
              <li key={scheme.name}>
                <code className="font-mono">{scheme.name}</code> — {scheme.description}
              </li>
            ))}
          </ul>
          <p>Errors are RFC 9457 problem documents (application/problem+json) with a request id.</p>
          {download ? (
            <div>
              <Button asChild variant="secondary" size="sm">
                <a href={download} download="runnel-openapi.json">
                  <Download aria-hidden="true" />
                  Download openapi.json
                </a>
              </Button>
            </div>
          ) : null}
        </CardContent>
      </Card>
      <nav aria-label="Operations">
        <h2 className="mb-2 text-lg font-semibold">Operations</h2>
        <ul className="flex flex-col gap-1 text-sm">
          {model.operations.map((operation) => (
            <li key={operation.id}>
              <a href={`#${operation.id}`} className="text-link underline underline-offset-2">
                <span className="font-mono">{operation.method}</span> {operation.path}
              </a>{" "}
              <span className="text-fg-muted">— {operation.summary}</span>
            </li>
          ))}
        </ul>
      </nav>
      {model.operations.map((operation) => (
        <Operation key={operation.id} operation={operation} />
      ))}
    </div>
  );
}
