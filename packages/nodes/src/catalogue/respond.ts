import { z } from "zod";

import { defineNode } from "../define";
import { JsonConfigData, JsonData } from "./shared";

const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "not a valid HTTP header name");

/**
 * Answers the webhook caller that is waiting for this run (a Webhook trigger with respondMode "respond_node"): its
 * status, headers and body are the HTTP response. The first Respond node to run answers; later ones only pass data
 * on. In a run started any other way (REST API, manual, schedule) nobody waits for it: the response is only its
 * output, and the REST API's `?wait` returns the run resource with it in `output`.
 */
export const respondNode = defineNode({
  type: "respond",
  version: 1,
  kind: "respond",
  pure: true,
  ui: {
    label: "Respond",
    category: "flow",
    icon: "reply",
    description:
      "Send the HTTP response to the webhook caller. In runs from the REST API it is the run's output.",
  },
  config: z.object({
    status: z.number().int().min(100).max(599).default(200),
    headers: z
      .record(HeaderName, z.string())
      .default({})
      .refine(
        (headers) =>
          Object.keys(headers).every(
            (name) =>
              !["content-length", "transfer-encoding", "connection"].includes(name.toLowerCase()),
          ),
        {
          message: "content-length, transfer-encoding and connection are set by the server",
        },
      ),
    body: JsonConfigData.optional().describe("Response body (JSON); default: the input"),
  }),
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: {
    out: {
      type: "object",
      label: "Response",
      schema: z.object({
        status: z.number(),
        headers: z.record(z.string(), z.string()),
        body: JsonData,
      }),
    },
  },
  execute({ config, inputs }) {
    const response = {
      status: config.status,
      headers: config.headers,
      body: config.body ?? inputs.in ?? null,
    };
    return { kind: "respond", response, then: { kind: "emit", port: "out", value: response } };
  },
});
