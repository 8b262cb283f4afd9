import { describe, expect, it } from "vitest";

import { approvalFormFields, collectApprovalForm } from "./form-schema";

const schema = {
  type: "object",
  properties: {
    budget: { type: "number", description: "In euros" },
    seats: { type: "integer" },
    reason: { type: "string", title: "Why" },
    urgent: { type: "boolean" },
    tier: { type: "string", enum: ["gold", "silver"] },
    extra: { type: "object" },
  },
  required: ["budget", "reason"],
};

function form(entries: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(entries)) data.set(`form.${key}`, value);
  return data;
}

describe("approval forms", () => {
  it("derives one typed field per property", () => {
    expect(approvalFormFields(schema).map((f) => [f.name, f.label, f.kind, f.required])).toEqual([
      ["budget", "Budget", "number", true],
      ["seats", "Seats", "integer", false],
      ["reason", "Why", "string", true],
      ["urgent", "Urgent", "boolean", false],
      ["tier", "Tier", "enum", false],
      ["extra", "Extra", "json", false],
    ]);
    expect(approvalFormFields("not a schema")).toEqual([]);
  });

  it("collects typed answers and leaves blank optional fields out", () => {
    const fields = approvalFormFields(schema);
    expect(
      collectApprovalForm(
        form({ budget: "12.5", reason: " ok ", urgent: "on", extra: '{"a":1}' }),
        fields,
      ),
    ).toEqual({
      ok: true,
      data: { budget: 12.5, reason: "ok", urgent: true, extra: { a: 1 } },
    });
  });

  it("names each field that is missing or malformed", () => {
    const fields = approvalFormFields(schema);
    expect(collectApprovalForm(form({ budget: "lots", seats: "1.5", extra: "{" }), fields)).toEqual(
      {
        ok: false,
        errors: {
          budget: "Budget must be a number",
          seats: "Seats must be a whole number",
          reason: "Why is required",
          extra: "Extra must be valid JSON",
        },
      },
    );
  });
});
