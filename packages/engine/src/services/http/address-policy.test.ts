import { describe, expect, it } from "vitest";

import {
  assertAddressAllowed,
  blockedReason,
  isAddressAllowListed,
  isHostAllowListed,
  parseAllowList,
  parseAllowListSetting,
  SsrfBlockedError,
} from "./address-policy";

describe("address policy", () => {
  it.each(["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])(
    "allows public %s",
    (address) => {
      expect(blockedReason(address)).toBeNull();
    },
  );

  it.each([
    ["127.0.0.1", "loopback"],
    ["::1", "loopback"],
    ["10.255.0.1", "private"],
    ["172.20.1.1", "private"],
    ["192.168.0.10", "private"],
    ["100.127.255.254", "carrier-grade NAT (100.64.0.0/10)"],
    ["169.254.169.254", "a cloud metadata address"],
    ["fd00:ec2::254", "a cloud metadata address"],
    ["169.254.10.10", "link-local"],
    ["fe80::abcd", "link-local"],
    ["fd12:3456::1", "unique-local (fc00::/7)"],
    ["239.1.1.1", "multicast"],
    ["0.1.2.3", "unspecified (0.0.0.0/8 or ::)"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "special-purpose (reserved)"],
    ["::ffff:10.0.0.1", "private (as IPv4-mapped IPv6)"],
    ["::10.0.0.1", "IPv4-compatible IPv6"],
    ["::8.8.8.8", "IPv4-compatible IPv6"],
    ["64:ff9b::a00:1", "NAT64 (64:ff9b::/96)"],
    ["2002:a00:1::", "6to4 (2002::/16)"],
    ["2001:0:4136:e378::1", "Teredo (2001::/32)"],
  ])("blocks %s as %s", (address, reason) => {
    expect(blockedReason(address)).toBe(reason);
  });

  it("parses CIDRs, addresses and host names, and names a bad entry", () => {
    const allow = parseAllowList(["10.0.0.0/8", " 127.0.0.1 ", "[::1]", "Ollama.Internal", ""]);
    expect(isAddressAllowListed("10.9.8.7", allow)).toBe(true);
    expect(isAddressAllowListed("::ffff:10.9.8.7", allow)).toBe(true);
    expect(isAddressAllowListed("127.0.0.2", allow)).toBe(false);
    expect(isAddressAllowListed("::1", allow)).toBe(true);
    expect(isHostAllowListed("ollama.internal.", allow)).toBe(true);
    expect(isHostAllowListed("evil.ollama.internal", allow)).toBe(false);
    expect(() => parseAllowList(["10.0.0.0/99"])).toThrow(
      /entry 0 \("10\.0\.0\.0\/99"\) is not a valid CIDR/,
    );
    expect(() => parseAllowList(["ok.host", "bad host!"])).toThrow(
      /entry 1 \("bad host!"\) is neither/,
    );
  });

  it("reads the comma/space separated setting", () => {
    const allow = parseAllowListSetting("127.0.0.1, 192.168.0.0/16  intranet.local");
    expect(isAddressAllowListed("192.168.4.4", allow)).toBe(true);
    expect(isHostAllowListed("intranet.local", allow)).toBe(true);
    expect(parseAllowListSetting(undefined)).toEqual({ cidrs: [], hosts: new Set() });
  });

  it("throws a named error unless allow-listed", () => {
    expect(() => assertAddressAllowed("http://x/", "10.1.1.1", parseAllowList([]))).toThrow(
      SsrfBlockedError,
    );
    expect(() =>
      assertAddressAllowed("http://x/", "10.1.1.1", parseAllowList(["10.1.1.0/24"])),
    ).not.toThrow();
  });
});
