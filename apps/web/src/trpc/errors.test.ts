import { describe, expect, it } from "vitest";

import { fieldErrorsOf, formErrorOf, isUnauthorized } from "./errors";

describe("tRPC error helpers", () => {
  const zodFailure = {
    message: "Invalid input",
    data: {
      zodError: {
        formErrors: [],
        fieldErrors: { email: ["Email is already used"], "data.apiKey": ["Required"] },
      },
    },
  };

  it("reads field errors by path", () => {
    expect(fieldErrorsOf(zodFailure)).toEqual({
      email: ["Email is already used"],
      "data.apiKey": ["Required"],
    });
    expect(formErrorOf(zodFailure)).toBeNull();
  });

  it("falls back to the error message for other failures", () => {
    const forbidden = { message: "Only an admin can invite", data: { zodError: null } };
    expect(fieldErrorsOf(forbidden)).toEqual({});
    expect(formErrorOf(forbidden)).toBe("Only an admin can invite");
    expect(formErrorOf(null)).toBeNull();
    expect(fieldErrorsOf("boom")).toEqual({});
  });

  it("recognises an ended session", () => {
    expect(
      isUnauthorized({ message: "Sign in", data: { code: "UNAUTHORIZED", httpStatus: 401 } }),
    ).toBe(true);
    expect(isUnauthorized({ message: "No", data: { code: "FORBIDDEN", httpStatus: 403 } })).toBe(
      false,
    );
    expect(isUnauthorized(new Error("network"))).toBe(false);
  });
});
