import type { RunDetailView } from "../rest/handler";

/** Where `runs start` / `runs get` act: the database and executor directly, or the running server's REST API. */
export interface RunsBackend {
  /** Describes the backend in messages ("the server at http://…", "the database"). */
  readonly where: string;
  /** Starts a run of the org's deployed flow (deployment slug or flow id) with `input`. */
  start(flow: string, input: unknown): Promise<{ id: string; status: string }>;
  /** The run with its steps; undefined when no run has that id (in the key's org, over REST). */
  get(id: string): Promise<RunDetailView | undefined>;
}

/** A problem+json answer (or the same problem raised in-process), as the CLI prints it. */
export interface ProblemLike {
  detail: string;
  errors?: { path: string; message: string }[];
}

export function problemText(problem: ProblemLike): string {
  const fields = (problem.errors ?? []).map(
    (error) => `  ${error.path || "(input)"}: ${error.message}`,
  );
  return [problem.detail, ...fields].join("\n");
}
