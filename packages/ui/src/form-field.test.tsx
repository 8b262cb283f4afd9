import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { FormField } from "./form-field";
import { Input } from "./input";

describe("FormField", () => {
  it("labels the control and links the field error to it", () => {
    const html = renderToStaticMarkup(
      <FormField id="email" label="Email" error={["Email is already used"]}>
        <Input name="email" />
      </FormField>,
    );
    expect(html).toMatch(/<label [^>]*for="email"[^>]*>Email<\/label>/);
    expect(html).toMatch(/<input[^>]*id="email"/);
    expect(html).toMatch(/<input[^>]*aria-invalid="true"/);
    expect(html).toMatch(/<input[^>]*aria-describedby="email-error"/);
    expect(html).toContain(
      '<p id="email-error" class="text-sm text-danger">Email is already used</p>',
    );
  });

  it("marks nothing invalid when there is no error and describes the hint", () => {
    const html = renderToStaticMarkup(
      <FormField id="password" label="Password" hint="At least 10 characters">
        <Input name="password" type="password" />
      </FormField>,
    );
    expect(html).not.toContain("aria-invalid");
    expect(html).toMatch(/<input[^>]*aria-describedby="password-hint"/);
    expect(html).not.toContain("password-error");
  });
});
