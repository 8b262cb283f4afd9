import { createHash, randomBytes } from "node:crypto";

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encode(value: bigint, length: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = (alphabet[Number(rest % 32n)] ?? "0") + out;
    rest /= 32n;
  }
  return out;
}

function fromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** A ULID (time-ordered, 26 characters), the id format Inngest uses for events and runs. */
export function ulid(time = Date.now(), entropy: Uint8Array = randomBytes(10)): string {
  return encode(BigInt(time), 10) + encode(fromBytes(entropy.subarray(0, 10)), 16);
}

/**
 * The SDK sends `x-inngest-event-id-seed: <millis>,<base64 entropy>` with every send so that a retried
 * send produces the same event ids (and is deduplicated). Derives the id of the event at `index`.
 */
export function seededEventId(seed: string, index: number): string | undefined {
  const [millis, entropy] = seed.split(",");
  const time = Number(millis);
  if (!entropy || !Number.isSafeInteger(time) || time < 0) return undefined;
  const digest = createHash("sha256").update(`${entropy}:${index}`).digest();
  return ulid(time, digest);
}
