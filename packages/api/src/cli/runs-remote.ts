import type { RunDetailView } from "../rest/handler";
import type { ProblemLike, RunsBackend } from "./runs-backend";
import { CliError, usageError } from "./errors";
import { problemText } from "./runs-backend";

/** The server's base URL without a trailing slash; only http(s). */
export function serverBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--url (or RUNNEL_URL) is not a URL: "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(`--url (or RUNNEL_URL) must be http:// or https://, got "${raw}"`);
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * `runs` over the running server's REST API v1 with an API key (the key decides the org):
 * `POST /api/v1/flows/{idOrSlug}/runs` and `GET /api/v1/runs/{id}`.
 */
export function remoteRuns(options: { url: string; apiKey: string }): RunsBackend {
  const base = serverBaseUrl(options.url);
  const where = `the server at ${base}`;

  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          accept: "application/json",
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new CliError(
        `cannot reach ${where}: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
  }

  async function failure(response: Response): Promise<CliError> {
    const text = await response.text();
    let problem: ProblemLike | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<ProblemLike>;
      if (typeof parsed.detail === "string") problem = parsed as ProblemLike;
    } catch {
      // Not a problem document (a proxy's error page): show the status and the start of the body.
    }
    const detail = problem ? problemText(problem) : text.slice(0, 300);
    return new CliError(`${where} answered ${response.status}: ${detail}`);
  }

  return {
    where,
    async start(flow, input) {
      const response = await call(`/api/v1/flows/${encodeURIComponent(flow)}/runs`, {
        method: "POST",
        body: JSON.stringify(input),
      });
      if (response.status !== 202) throw await failure(response);
      const body = (await response.json()) as { runId: string; status: string };
      return { id: body.runId, status: body.status };
    },
    async get(id) {
      const response = await call(`/api/v1/runs/${encodeURIComponent(id)}`);
      if (response.status === 404) return undefined;
      if (!response.ok) throw await failure(response);
      return (await response.json()) as RunDetailView;
    },
  };
}
