import type { JsonValue } from "@runnel/nodes";

import {
  fingerprintRaw,
  IDEMPOTENCY_KEY_TTL_SECONDS,
  idempotencyKeyProblem,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from "../idempotency/request";
import { HttpProblem } from "../rest/problem";
import { SIGNATURE_TOLERANCE_SECONDS } from "./signature";

/** Where a delivery's identity came from (docs/rest.md, "Idempotency and duplicate deliveries"). */
export type DeliverySource =
  "idempotency-key" | "webhook-id" | "x-github-delivery" | "stripe-event" | "signature";

export interface DeliveryKey {
  source: DeliverySource;
  /** The idempotency key within the hook's scope. */
  key: string;
  ttlSeconds: number;
}

/** Delivery-id headers senders put on every delivery and keep on their retries, in the order they are trusted. */
const SENDER_ID_HEADERS = ["webhook-id", "x-github-delivery"] as const;

function usable(value: string | null | undefined): value is string {
  return (
    value !== null &&
    value !== undefined &&
    value !== "" &&
    value.length <= MAX_IDEMPOTENCY_KEY_LENGTH
  );
}

/** A Stripe event's id (`evt_…`), when the delivery carries a Stripe signature and the body is an event. */
function stripeEventId(headers: Headers, body: JsonValue): string | undefined {
  if (!headers.has("stripe-signature")) return undefined;
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const id = body.id;
  return typeof id === "string" && /^evt_[A-Za-z0-9_]+$/.test(id) && usable(id) ? id : undefined;
}

/**
 * What makes two deliveries to one hook the same delivery, strongest first: the caller's `Idempotency-Key`; the
 * sender's delivery id (Standard Webhooks `webhook-id`, GitHub `X-GitHub-Delivery`, a Stripe event id); else, for a
 * delivery whose Runnel signature was verified, its signed timestamp with the body (the same signed delivery sent
 * again), remembered as long as that signature is accepted. Undefined: nothing identifies it, every copy runs.
 */
export function deliveryKey(
  headers: Headers,
  raw: Uint8Array,
  body: JsonValue,
  signedAt: number | null,
): DeliveryKey | undefined {
  const explicit = headers.get("idempotency-key")?.trim();
  if (explicit !== undefined) {
    const problem = idempotencyKeyProblem(explicit);
    if (problem !== undefined) {
      throw new HttpProblem(400, "validation", `Idempotency-Key ${problem}`, {
        errors: [{ path: "Idempotency-Key", message: problem }],
      });
    }
    return { source: "idempotency-key", key: explicit, ttlSeconds: IDEMPOTENCY_KEY_TTL_SECONDS };
  }
  for (const header of SENDER_ID_HEADERS) {
    const value = headers.get(header)?.trim();
    if (usable(value)) {
      return { source: header, key: `${header}:${value}`, ttlSeconds: IDEMPOTENCY_KEY_TTL_SECONDS };
    }
  }
  const eventId = stripeEventId(headers, body);
  if (eventId !== undefined) {
    return {
      source: "stripe-event",
      key: `stripe-event:${eventId}`,
      ttlSeconds: IDEMPOTENCY_KEY_TTL_SECONDS,
    };
  }
  if (signedAt === null) return undefined;
  return {
    source: "signature",
    key: `signature:${signedAt}:${fingerprintRaw([raw])}`,
    // A signed timestamp is accepted from TOLERANCE before it to TOLERANCE after it.
    ttlSeconds: 2 * SIGNATURE_TOLERANCE_SECONDS,
  };
}
