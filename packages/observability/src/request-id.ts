/** Header that carries the request id on requests and on every response (docs/operations.md#request-ids). */
export const REQUEST_ID_HEADER = "x-request-id";

/** A caller's id is kept when it is 1–128 characters of letters, digits and `_ . : -`; anything else is replaced. */
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The incoming request id when it is sane, else a new UUID. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER)?.trim();
  return given && SANE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
}
