import { HttpProblem } from "./problem";

/** Default largest request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(
    413,
    "payload-too-large",
    `The request body is larger than ${limit} bytes`,
    {
      limitBytes: limit,
    },
  );
}

/**
 * Reads the raw body, refusing more than `limit` bytes: a declared Content-Length over the limit is refused before
 * reading anything, and a body without one is read only until it passes the limit, then the stream is cancelled.
 */
export async function readBodyLimited(request: Request, limit: number): Promise<Buffer> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit)
    throw tooLarge(limit);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; an empty body is `{}`. Malformed JSON → 400 naming the parse error. */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const raw = await readBodyLimited(request, limit);
  const text = raw.toString("utf8");
  if (text.trim() === "") return {};
  const type = request.headers.get("content-type");
  if (type !== null && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new HttpProblem(
      415,
      "unsupported-media-type",
      `Send the body as application/json (got ${type})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpProblem(
      400,
      "bad-request",
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
