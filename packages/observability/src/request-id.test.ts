import { describe, expect, it } from "vitest";

import { requestIdFrom } from "./request-id";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  it("keeps a sane incoming id and replaces anything else with a new UUID", () => {
    expect(requestIdFrom(new Headers({ "x-request-id": "abc-123_x.y:z" }))).toBe("abc-123_x.y:z");
    expect(requestIdFrom(new Headers({ "x-request-id": "  padded  " }))).toBe("padded");
    expect(requestIdFrom(new Headers({ "x-request-id": "a".repeat(128) }))).toBe("a".repeat(128));
    for (const bad of ["a".repeat(129), "has space", "semi;colon", "<script>", "ünïcode"])
      expect(requestIdFrom(new Headers({ "x-request-id": bad }))).toMatch(UUID);
    expect(requestIdFrom(new Headers())).toMatch(UUID);
    expect(requestIdFrom(new Headers())).not.toBe(requestIdFrom(new Headers()));
  });
});
