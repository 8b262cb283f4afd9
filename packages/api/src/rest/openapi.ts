import type { Database } from "@runnel/db";

import type { DeployedFlow } from "./flows";
import { scopeForMethod } from "../security/scopes";
import { listDeployedFlows } from "./flows";

type Json = Record<string, unknown>;

/** `greet-people` → `runGreetPeople`: the operation id of a deployed flow. */
export function operationIdFor(slug: string): string {
  const words = slug.split(/[^A-Za-z0-9]+/).filter((word) => word !== "");
  return `run${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("")}`;
}

/**
 * Copies a flow's JSON Schema into `components.schemas.<name>`: drops `$schema`/`$id` (the document's dialect
 * applies), hoists its `$defs`/`definitions` to sibling components `<name>_<def>` (generators read nested `$defs` as
 * properties), and re-points local `$ref`s at their new places.
 */
function embedSchema(schema: unknown, name: string, schemas: Json): void {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== "object") return value;
    const out: Json = {};
    for (const [key, item] of Object.entries(value as Json)) {
      if (key === "$schema" || key === "$id") continue;
      if (key === "$ref" && typeof item === "string" && item.startsWith("#")) {
        const def = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(item);
        out[key] = def
          ? `#/components/schemas/${name}_${def[1] ?? ""}`
          : `#/components/schemas/${name}${item.slice(1)}`;
        continue;
      }
      out[key] = rewrite(item);
    }
    return out;
  };
  const root = rewrite(schema) as Json;
  for (const key of ["$defs", "definitions"]) {
    const defs = root[key];
    if (defs === null || typeof defs !== "object" || Array.isArray(defs)) continue;
    delete root[key];
    for (const [def, value] of Object.entries(defs as Json)) schemas[`${name}_${def}`] = value;
  }
  schemas[name] = root;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ref("Problem") } },
});

const standardErrors = {
  "400": problemResponse("The request is not valid (field errors in `errors`)"),
  "401": problemResponse("No API key, or an invalid or revoked one"),
  "404": problemResponse("Not found in the key's org"),
};

/**
 * What every operation may also answer, from the handler's own rules: a 429 (every request counts against the key's
 * and the org's budget) and, where the method needs `runs:write`, a 403 for a key scoped to `runs:read`. The scope
 * the method needs is also given as `x-required-scope`.
 */
function guardResponses(method: "GET" | "POST") {
  const scope = scopeForMethod(method);
  const responses: Json = {
    "429": {
      ...problemResponse(
        "Over the key's or the org's request budget (`retryAfterSeconds` in the body)",
      ),
      headers: {
        "Retry-After": {
          description: "Seconds until the budget allows the request again",
          schema: { type: "integer", minimum: 0 },
        },
      },
    },
  };
  if (scope === "runs:write") {
    responses["403"] = problemResponse(
      "The key's scopes do not include `runs:write` (`requiredScope` in the body); nothing happened",
    );
  }
  return { "x-required-scope": scope, responses };
}

/** An operation with the guard responses and scope of its method merged in. */
function operation(method: "GET" | "POST", spec: Json & { responses: Json }): Json {
  const guard = guardResponses(method);
  return {
    ...spec,
    "x-required-scope": guard["x-required-scope"],
    responses: { ...spec.responses, ...guard.responses },
  };
}

const RunStatus = {
  type: "string",
  enum: ["queued", "running", "waiting", "succeeded", "failed", "cancelled"],
};

/** Token and cost totals of model calls (docs/ai.md, Usage and cost). */
function usageProperties(of: string): Json {
  return {
    tokensIn: { type: "integer", description: `Input tokens of ${of}'s model calls` },
    tokensOut: { type: "integer", description: `Output tokens of ${of}'s model calls` },
    costUsd: {
      type: "number",
      description: `USD of ${of}'s model calls from the price table; unpriced models add 0`,
    },
  };
}

/** The run resource's fields (`GET /runs/{id}` adds `steps`; a `?wait` answer has none). */
const RUN_REQUIRED = ["id", "flowId", "flowVersionId", "status", "createdAt"];
const runProperties: Json = {
  id: { type: "string" },
  flowId: { type: "string" },
  flowVersionId: { type: "string" },
  status: ref("RunStatus"),
  triggerKind: { type: "string" },
  input: {},
  output: {},
  error: {
    type: ["object", "null"],
    properties: { message: { type: "string" }, name: { type: "string" } },
  },
  failedNodeId: { type: ["string", "null"] },
  ...usageProperties("the run's steps"),
  createdAt: { type: "string", format: "date-time" },
  startedAt: { type: ["string", "null"], format: "date-time" },
  finishedAt: { type: ["string", "null"], format: "date-time" },
};

const staticSchemas: Json = {
  Problem: {
    type: "object",
    description: "RFC 9457 problem details",
    required: ["type", "title", "status", "detail", "instance", "requestId"],
    properties: {
      type: { type: "string", format: "uri-reference" },
      title: { type: "string" },
      status: { type: "integer" },
      detail: { type: "string" },
      instance: { type: "string" },
      requestId: { type: "string" },
      requiredScope: { type: "string", description: "403 `forbidden`: the scope the key lacks" },
      retryAfterSeconds: {
        type: "integer",
        description: "429 `too-many-requests`: seconds until the request is allowed again",
      },
      errors: {
        type: "array",
        items: {
          type: "object",
          required: ["path", "message"],
          properties: { path: { type: "string" }, message: { type: "string" } },
        },
      },
    },
  },
  RunStatus,
  RunAccepted: {
    type: "object",
    required: ["runId", "status"],
    properties: { runId: { type: "string" }, status: ref("RunStatus") },
  },
  Run: {
    type: "object",
    required: RUN_REQUIRED,
    properties: {
      ...runProperties,
      steps: {
        type: "array",
        items: {
          type: "object",
          properties: {
            nodeId: { type: "string" },
            attempt: { type: "integer" },
            status: { type: "string" },
            output: {},
            error: {},
            ...usageProperties("this attempt"),
            startedAt: { type: ["string", "null"], format: "date-time" },
            finishedAt: { type: ["string", "null"], format: "date-time" },
          },
        },
      },
    },
  },
  CancelResult: {
    type: "object",
    required: ["id", "cancelled", "status"],
    properties: {
      id: { type: "string" },
      cancelled: { type: "boolean" },
      status: ref("RunStatus"),
    },
  },
  ApprovalDecision: {
    type: "object",
    additionalProperties: false,
    required: ["decision"],
    properties: {
      decision: { type: "string", enum: ["approve", "reject"] },
      comment: { type: "string", maxLength: 5000 },
      formData: { type: "object", additionalProperties: true },
    },
  },
  ApprovalDecided: {
    type: "object",
    required: ["id", "runId", "status"],
    properties: {
      id: { type: "string" },
      runId: { type: "string" },
      status: { type: "string" },
      decidedAt: { type: ["string", "null"], format: "date-time" },
    },
  },
};

const waitParameter = {
  name: "wait",
  in: "query",
  required: false,
  description:
    "Seconds to wait for the run to end (0–60). Succeeded in time: 200 with the run, its output in `output`; else 202.",
  schema: { type: "number", minimum: 0, maximum: 60 },
};

const idempotencyParameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "A repeat within 24 h returns the first run's answer with `Idempotent-Replayed: true` instead of starting another; the same key with another body is 409 idempotency-key-reused.",
  schema: { type: "string", minLength: 1, maxLength: 200 },
};

const replayedHeader = {
  description:
    "`true` when this answers a repeat of an earlier request with the same Idempotency-Key",
  schema: { type: "string", enum: ["true"] },
};

function idParameter(name: string, description: string) {
  return { name, in: "path", required: true, description, schema: { type: "string" } };
}

function flowOperation(flow: DeployedFlow, schemas: Json): Json {
  const base = operationIdFor(flow.slug);
  const name = base.slice(3) || "Flow";
  const inputName = `${name}Input`;
  const outputName = `${name}Output`;
  const runName = `${name}Run`;
  embedSchema(flow.inputSchema, inputName, schemas);
  if (flow.outputSchema) embedSchema(flow.outputSchema, outputName, schemas);
  else schemas[outputName] = { description: "The run output (the flow declares no output schema)" };
  schemas[runName] = {
    type: "object",
    description: `A run of ${flow.flowName} that succeeded (the run resource without steps)`,
    required: [...RUN_REQUIRED, "output"],
    properties: { ...runProperties, output: ref(outputName) },
  };
  return {
    post: operation("POST", {
      operationId: base,
      summary: `Run ${flow.flowName}`,
      description: `${flow.description ? `${flow.description}\n\n` : ""}Runs version ${flow.versionNumber} of flow ${flow.flowName}.`,
      tags: ["flows"],
      parameters: [waitParameter, idempotencyParameter],
      requestBody: {
        required: true,
        content: { "application/json": { schema: ref(inputName) } },
      },
      responses: {
        "200": {
          description:
            "The run succeeded within `wait`: the run, its output in `output` (a Respond node does not shape this answer; it answers webhook callers)",
          headers: {
            "x-runnel-run-id": { description: "The run's id", schema: { type: "string" } },
            "x-runnel-run-status": {
              description: "The run's status (`succeeded`)",
              schema: { type: "string" },
            },
            "Idempotent-Replayed": replayedHeader,
          },
          content: { "application/json": { schema: ref(runName) } },
        },
        "202": {
          description: "The run was started (or is still running after `wait`)",
          headers: {
            Location: { description: "The run's URL", schema: { type: "string" } },
            "Idempotent-Replayed": replayedHeader,
          },
          content: { "application/json": { schema: ref("RunAccepted") } },
        },
        ...standardErrors,
        "409": problemResponse(
          "The run was cancelled while the caller waited (`run-cancelled`), or the Idempotency-Key was first used for another request (`idempotency-key-reused`)",
        ),
        "413": problemResponse("The body is larger than the limit"),
        "422": problemResponse("The run failed while the caller waited"),
      },
    }),
  };
}

/**
 * The OpenAPI 3.1 document of an org: one typed operation per enabled deployment (request body = the version's input
 * JSON Schema, 200 response = the run with `output` typed by its declared output schema or any JSON), and the generic
 * run and approval operations.
 */
export async function buildOpenApiDocument(db: Database, orgId: string, appUrl: string) {
  const deployed = await listDeployedFlows(db, orgId);
  const schemas: Json = { ...staticSchemas };
  const paths: Json = {};
  for (const flow of deployed) {
    paths[`/api/v1/flows/${encodeURIComponent(flow.slug)}/runs`] = flowOperation(flow, schemas);
  }
  paths["/api/v1/runs/{id}"] = {
    get: operation("GET", {
      operationId: "getRun",
      summary: "A run with its steps",
      tags: ["runs"],
      parameters: [idParameter("id", "Run id")],
      responses: {
        "200": { description: "The run", content: { "application/json": { schema: ref("Run") } } },
        ...standardErrors,
      },
    }),
  };
  paths["/api/v1/runs/{id}/events"] = {
    get: operation("GET", {
      operationId: "streamRunEvents",
      summary: "The run's events as Server-Sent Events (resume with Last-Event-ID)",
      tags: ["runs"],
      parameters: [
        idParameter("id", "Run id"),
        {
          name: "Last-Event-ID",
          in: "header",
          required: false,
          description: "The seq of the last event received; the stream resumes after it",
          schema: { type: "string", pattern: "^\\d+$" },
        },
      ],
      responses: {
        "200": {
          description:
            "`id: <seq>`, `event: <type>`, `data: <json>` per event; ends after the run ends",
          content: { "text/event-stream": { schema: { type: "string" } } },
        },
        ...standardErrors,
      },
    }),
  };
  paths["/api/v1/runs/{id}/cancel"] = {
    post: operation("POST", {
      operationId: "cancelRun",
      summary: "Cancel a run and its sub-runs",
      tags: ["runs"],
      parameters: [idParameter("id", "Run id")],
      responses: {
        "200": {
          description: "`cancelled: false` when it had already ended",
          content: { "application/json": { schema: ref("CancelResult") } },
        },
        ...standardErrors,
      },
    }),
  };
  paths["/api/v1/approvals/{id}"] = {
    post: operation("POST", {
      operationId: "decideApproval",
      summary: "Approve or reject a pending approval",
      tags: ["approvals"],
      parameters: [idParameter("id", "Approval id")],
      requestBody: {
        required: true,
        content: { "application/json": { schema: ref("ApprovalDecision") } },
      },
      responses: {
        "200": {
          description: "The decision was recorded; the run resumes",
          content: { "application/json": { schema: ref("ApprovalDecided") } },
        },
        ...standardErrors,
        "409": problemResponse("The approval was already decided or has expired"),
      },
    }),
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Runnel REST API",
      version: "1",
      description: "Runs of this org's deployed flows, their events, cancellation and approvals.",
    },
    servers: [{ url: appUrl.replace(/\/+$/, "") }],
    security: [{ apiKey: [] }],
    tags: [{ name: "flows" }, { name: "runs" }, { name: "approvals" }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "An API key of the org (rk_...)" },
      },
    },
  };
}
