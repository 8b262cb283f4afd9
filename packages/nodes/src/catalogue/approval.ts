import { z } from "zod";

import { defineNode } from "../define";
import { Duration, durationMs, JsonConfigData, JsonData, JsonSchemaDocument } from "./shared";

/** What the approval node emits on each of its ports (see ApprovalOutcome in define.ts). */
const Outcome = z.object({
  decision: z.enum(["approved", "rejected", "timeout"]),
  decidedBy: z.string().optional(),
  comment: z.string().optional(),
  form: JsonData.optional(),
  data: JsonData,
});

/**
 * Human in the loop: asks the assignees to approve or reject (optionally filling in a form) and waits
 * durably. The decision arrives through the API (`runnel/approval.decided`); without one before the
 * timeout the run continues on `timeout`.
 */
export const approvalNode = defineNode({
  type: "approval",
  version: 1,
  kind: "approval",
  pure: true,
  ui: {
    label: "Approval",
    category: "human",
    icon: "user-check",
    description: "Wait for a person to approve or reject, with an optional form.",
  },
  config: z.object({
    assignees: z
      .array(z.string().min(1))
      .min(1)
      .describe("User ids or e-mail addresses of org members who may decide"),
    message: z.string().min(1).describe("What the approver is asked"),
    form: JsonSchemaDocument.optional().describe("JSON Schema of a form the approver fills in"),
    timeout: Duration.default({ amount: 7, unit: "days" }),
    data: JsonConfigData.optional().describe("Data shown to the approver; default: the input"),
  }),
  inputs: { in: { type: "any", required: false, label: "Input" } },
  outputs: {
    approved: { type: "object", label: "Approved", schema: Outcome },
    rejected: { type: "object", label: "Rejected", schema: Outcome },
    timeout: { type: "object", label: "Timed out", schema: Outcome },
  },
  execute({ config, inputs }) {
    return {
      kind: "approval",
      request: {
        assignees: config.assignees,
        message: config.message,
        ...(config.form === undefined ? {} : { form: config.form }),
        timeoutMs: durationMs(config.timeout),
        data: config.data ?? inputs.in ?? null,
      },
    };
  },
});
