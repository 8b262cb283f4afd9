import { createHmac, timingSafeEqual } from "node:crypto";

/** How far a signature's timestamp may be from the server's clock, seconds (both directions). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `t=<unix>,v1=<hex>`: HMAC-SHA256 of `<t>.<raw body>` with the webhook's secret. */
export function signWebhook(secret: string, body: string | Uint8Array, timestamp: number): string {
  const hmac = createHmac("sha256", secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `t=${timestamp},v1=${hmac.digest("hex")}`;
}

export type SignatureCheck =
  /** `timestamp`: the signed `t`, which with the body identifies the delivery (see hooks/delivery.ts). */
  | { ok: true; timestamp: number }
  | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch"; detail: string };

/**
 * Checks a `t=<unix>,v1=<hex>[,v1=<hex>…]` header against the raw body: the timestamp within the tolerance of `now`
 * (replays of old deliveries fail), and any v1 equal (in constant time) to the expected HMAC.
 */
export function verifyWebhookSignature(
  header: string | null,
  secret: string,
  body: Uint8Array,
  now: number = Math.floor(Date.now() / 1000),
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (header === null || header.trim() === "") {
    return { ok: false, reason: "missing", detail: "the request is not signed" };
  }
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (name === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) {
    return {
      ok: false,
      reason: "malformed",
      detail: "the signature header is not t=<unix>,v1=<hex>",
    };
  }
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    return {
      ok: false,
      reason: "stale",
      detail: `the signature timestamp is more than ${toleranceSeconds} s from the server's clock`,
    };
  }
  const expected = Buffer.from(signWebhook(secret, body, timestamp).split("v1=")[1] ?? "", "hex");
  const matches = signatures.some((hex) => {
    const given = Buffer.from(hex, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches
    ? { ok: true, timestamp }
    : { ok: false, reason: "mismatch", detail: "the signature does not match the body" };
}
