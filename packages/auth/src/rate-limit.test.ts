import { describe, expect, it } from "vitest";

import { createRateLimiter } from "./rate-limit";

describe("createRateLimiter", () => {
  it("blocks a key after `limit` hits until its window ends; reset clears it; keys are independent", () => {
    let clock = 1_000;
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: () => clock });
    for (let i = 0; i < 3; i++) {
      expect(limiter.blocked("a")).toBe(false);
      limiter.hit("a");
    }
    expect(limiter.blocked("a")).toBe(true);
    expect(limiter.blocked("b")).toBe(false);
    clock += 60_000;
    expect(limiter.blocked("a")).toBe(false);
    limiter.hit("a");
    limiter.hit("a");
    limiter.hit("a");
    limiter.reset("a");
    expect(limiter.blocked("a")).toBe(false);
  });

  it("keeps memory bounded", () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2 });
    limiter.hit("a");
    limiter.hit("b");
    limiter.hit("c");
    expect(limiter.blocked("a")).toBe(false);
    expect(limiter.blocked("b")).toBe(true);
    expect(limiter.blocked("c")).toBe(true);
  });
});
