import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which network addresses outbound HTTP may reach. Only globally routable unicast addresses are
 * allowed by default; everything else (loopback, private, link-local, CGNAT, unique-local,
 * multicast, unspecified, broadcast, reserved, metadata, and IPv6 forms that embed an IPv4
 * address such as IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo) is blocked unless an
 * explicit allow-list entry permits it.
 */

/** Host names blocked whatever they resolve to (cloud metadata endpoints). */
const BLOCKED_HOSTNAMES = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "instance-data.ec2.internal",
]);

/** Cloud metadata addresses, named in errors so the reason is plain. */
const METADATA_ADDRESSES = new Set([
  "169.254.169.254",
  "fd00:ec2::254",
  "169.254.170.2",
  "100.100.100.200",
]);

/** IPv6 ranges ipaddr.js reports as `unicast` but that embed or alias IPv4 space. */
const EXTRA_BLOCKED_V6: [ipaddr.IPv6, number][] = [
  // IPv4-compatible addresses (deprecated, ::a.b.c.d).
  [ipaddr.IPv6.parse("::"), 96],
];

export interface AllowList {
  /** Networks whose addresses may be reached even when private. */
  cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  /** Host names (lower case, exact) whose resolved addresses may be reached even when private. */
  hosts: Set<string>;
}

export const EMPTY_ALLOW_LIST: AllowList = { cidrs: [], hosts: new Set() };

/**
 * Parses allow-list entries: CIDRs (`10.0.0.0/8`, `fd00::/8`), single addresses (`127.0.0.1`,
 * `::1`) or exact host names (`intranet.example.com`). Throws naming the first invalid entry.
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const allow: AllowList = { cidrs: [], hosts: new Set() };
  for (const [index, raw] of entries.entries()) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry.includes("/")) {
      if (!ipaddr.isValidCIDR(entry)) {
        throw new Error(
          `HTTP allow-list entry ${index} ("${raw}") is not a valid CIDR such as 10.0.0.0/8 or fd00::/8`,
        );
      }
      allow.cidrs.push(ipaddr.parseCIDR(entry));
    } else if (isIP(unbracket(entry)) !== 0) {
      const address = parseAddress(unbracket(entry));
      allow.cidrs.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) {
      allow.hosts.add(entry);
    } else {
      throw new Error(
        `HTTP allow-list entry ${index} ("${raw}") is neither a CIDR, an IP address nor a host name`,
      );
    }
  }
  return allow;
}

/** Parses a comma- or whitespace-separated allow-list setting (for an environment variable). */
export function parseAllowListSetting(setting: string | undefined): AllowList {
  return parseAllowList((setting ?? "").split(/[\s,]+/));
}

export function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * Parses an IP literal. IPv6 text is first canonicalised by the WHATWG URL parser: ipaddr.js reads
 * the dotted IPv4-compatible form `::a.b.c.d` as IPv4-mapped (`::ffff:a.b.c.d`), and
 * getaddrinfo prints IPv4-compatible answers in that dotted form.
 */
function parseAddress(literal: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (isIP(literal) !== 6) return ipaddr.parse(literal);
  return ipaddr.parse(unbracket(new URL(`http://[${literal}]/`).hostname));
}

/** Why an address is blocked (e.g. "loopback"), or null when it is a public unicast address. */
export function blockedReason(address: string): string | null {
  const literal = unbracket(address).split("%")[0] ?? "";
  if (isIP(literal) === 0) return "not an IP address";
  const parsed = parseAddress(literal);
  if (METADATA_ADDRESSES.has(parsed.toString())) return "a cloud metadata address";
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      const inner = blockedReason(v6.toIPv4Address().toString());
      return inner === null ? null : `${inner} (as IPv4-mapped IPv6)`;
    }
    const range = v6.range();
    if (range !== "unicast") return describeRange(range);
    for (const [network, bits] of EXTRA_BLOCKED_V6) {
      if (v6.match(network, bits)) return "IPv4-compatible IPv6";
    }
    return null;
  }
  const range = (parsed as ipaddr.IPv4).range();
  return range === "unicast" ? null : describeRange(range);
}

function describeRange(range: string): string {
  switch (range) {
    case "loopback":
      return "loopback";
    case "private":
      return "private";
    case "linkLocal":
      return "link-local";
    case "carrierGradeNat":
      return "carrier-grade NAT (100.64.0.0/10)";
    case "uniqueLocal":
      return "unique-local (fc00::/7)";
    case "multicast":
      return "multicast";
    case "unspecified":
      return "unspecified (0.0.0.0/8 or ::)";
    case "broadcast":
      return "broadcast";
    case "rfc6052":
      return "NAT64 (64:ff9b::/96)";
    case "rfc6145":
      return "IPv4-translated IPv6";
    case "6to4":
      return "6to4 (2002::/16)";
    case "teredo":
      return "Teredo (2001::/32)";
    default:
      return `special-purpose (${range})`;
  }
}

export function isAddressAllowListed(address: string, allow: AllowList): boolean {
  const literal = unbracket(address).split("%")[0] ?? "";
  if (isIP(literal) === 0) return false;
  const parsed = parseAddress(literal);
  const candidates: (ipaddr.IPv4 | ipaddr.IPv6)[] = [parsed];
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    candidates.push((parsed as ipaddr.IPv6).toIPv4Address());
  }
  return allow.cidrs.some(([network, bits]) =>
    candidates.some(
      (candidate) => candidate.kind() === network.kind() && candidate.match(network, bits),
    ),
  );
}

export function isHostAllowListed(hostname: string, allow: AllowList): boolean {
  return allow.hosts.has(hostname.toLowerCase().replace(/\.$/, ""));
}

export function isHostnameBlocked(hostname: string): boolean {
  return BLOCKED_HOSTNAMES.has(hostname.toLowerCase().replace(/\.$/, ""));
}

export class SsrfBlockedError extends Error {
  override readonly name = "SsrfBlockedError";
  readonly code = "SSRF_BLOCKED";
  constructor(
    readonly target: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(
      `Outbound HTTP to ${target} blocked: address ${address} is ${reason}. ` +
        `Private and internal targets need an explicit entry in the HTTP allow-list.`,
    );
  }
}

/** Throws SsrfBlockedError unless the connected/resolved address may be reached. */
export function assertAddressAllowed(target: string, address: string, allow: AllowList): void {
  if (isAddressAllowListed(address, allow)) return;
  const reason = blockedReason(address);
  if (reason !== null) throw new SsrfBlockedError(target, unbracket(address), reason);
}
