import { describe, expect, it } from "vitest";

import { hashPassword, verifyPassword } from "./password";

describe("password hashing (scrypt)", () => {
  it("hashes with a random salt and verifies only the right password", async () => {
    const a = await hashPassword("correct horse 1");
    const b = await hashPassword("correct horse 1");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse 1", a)).toBe(true);
    expect(await verifyPassword("correct horse 2", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("rejects malformed or hostile stored hashes without throwing", async () => {
    const good = await hashPassword("pw-123456789");
    const parts = good.split("$");
    expect(await verifyPassword("pw-123456789", "plaintext")).toBe(false);
    expect(await verifyPassword("pw-123456789", ["bcrypt", ...parts.slice(1)].join("$"))).toBe(
      false,
    );
    expect(
      await verifyPassword(
        "pw-123456789",
        ["scrypt", String(2 ** 30), ...parts.slice(2)].join("$"),
      ),
    ).toBe(false);
    expect(await verifyPassword("pw-123456789", [...parts.slice(0, 5), "short"].join("$"))).toBe(
      false,
    );
  });
});
