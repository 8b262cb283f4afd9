import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { Alert } from "./alert";
import { Button } from "./button";

describe("Button", () => {
  it("is a non-submitting button unless told otherwise", () => {
    expect(renderToStaticMarkup(<Button>Save</Button>)).toMatch(/^<button type="button"/);
    expect(renderToStaticMarkup(<Button type="submit">Save</Button>)).toMatch(
      /^<button type="submit"/,
    );
  });

  it("renders its child with button styles when asChild is set", () => {
    const html = renderToStaticMarkup(
      <Button asChild variant="secondary">
        <a href="/flows">Flows</a>
      </Button>,
    );
    expect(html).toMatch(/^<a [^>]*href="\/flows"/);
    expect(html).toContain("border-border");
  });
});

describe("Alert", () => {
  it("announces danger at once and other messages politely", () => {
    expect(renderToStaticMarkup(<Alert variant="danger">Wrong email or password</Alert>)).toContain(
      'role="alert"',
    );
    expect(renderToStaticMarkup(<Alert variant="success">Saved</Alert>)).toContain('role="status"');
  });
});
