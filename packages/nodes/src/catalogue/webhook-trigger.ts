import { z } from "zod";

import { defineNode, NodeRunError } from "../define";
import { checkData, JsonData } from "./shared";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The request the webhook ingress (`/api/hooks/{hookId}`) hands to the run. */
export const WebhookRequest = z.object({
  method: z.enum(METHODS),
  headers: z.record(z.string(), z.string()),
  query: z.record(z.string(), z.string()),
  body: JsonData,
});
export type WebhookRequest = z.infer<typeof WebhookRequest>;

/**
 * Starts a run when `/api/hooks/{hookId}` receives a request. Signature checking (HMAC-SHA256 of the
 * raw body with the `webhookSecret` credential (field `secret`), hex, in `signatureHeader`) happens at the ingress,
 * before a run exists; `respondMode` says whether the caller gets 202 + run id at once or the
 * response of a Respond node.
 */
export const webhookTrigger = defineNode({
  type: "webhook_trigger",
  version: 1,
  kind: "trigger",
  pure: true,
  trigger: "webhook",
  ui: {
    label: "Webhook",
    category: "trigger",
    icon: "webhook",
    description: "Start the flow when an HTTP request reaches its webhook URL.",
  },
  config: z.object({
    methods: z.array(z.enum(METHODS)).min(1).default(["POST"]).describe("Accepted HTTP methods"),
    signatureCredentialId: z
      .string()
      .min(1)
      .optional()
      .describe("webhookSecret credential used to verify an HMAC-SHA256 signature"),
    signatureHeader: z
      .string()
      .min(1)
      .default("x-runnel-signature")
      .describe("Header carrying the hex signature"),
    respondMode: z
      .enum(["immediately", "respond_node"])
      .default("immediately")
      .describe("immediately: 202 with the run id; respond_node: the Respond node's answer"),
    responseTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .max(300_000)
      .default(30_000)
      .describe("How long the caller waits for a Respond node"),
  }),
  credentials: [{ key: "signatureCredentialId", type: "webhookSecret", required: false }],
  inputs: {},
  outputs: { out: { type: "object", label: "Request", schema: WebhookRequest } },
  execute({ config, event }) {
    const request = checkData(WebhookRequest, event);
    if (!request.success) {
      const issue = request.error.issues[0];
      throw new NodeRunError(
        "webhook_trigger",
        ["event", ...(issue?.path.map(String) ?? [])],
        issue?.message ?? "not a webhook request",
      );
    }
    if (!config.methods.includes(request.data.method)) {
      throw new NodeRunError(
        "webhook_trigger",
        ["event", "method"],
        `method ${request.data.method} is not accepted (accepted: ${config.methods.join(", ")})`,
      );
    }
    return { kind: "emit", port: "out", value: request.data };
  },
});
