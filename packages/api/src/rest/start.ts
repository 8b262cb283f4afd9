import { z } from "zod";

import type { Database } from "@runnel/db";

import type { DeployedFlow } from "./flows";
import type { FieldProblem } from "./problem";
import { findDeployedFlow } from "./flows";
import { fieldProblems, HttpProblem } from "./problem";

/** The org's enabled deployment named by deployment slug or flow id, or a 404 problem. */
export async function deployedFlowOrProblem(
  db: Database,
  orgId: string,
  idOrSlug: string,
): Promise<DeployedFlow> {
  const flow = await findDeployedFlow(db, orgId, idOrSlug);
  if (!flow) throw new HttpProblem(404, "not-found", `No deployed flow "${idOrSlug}" in this org`);
  return flow;
}

/** Checks the run input against the deployed version's input schema; every issue with its field path. */
function validateInput(schema: Record<string, unknown>, input: unknown): FieldProblem[] {
  let validator: z.ZodType;
  try {
    validator = z.fromJSONSchema(schema);
  } catch (error) {
    throw new Error(`the deployed input schema is not usable: ${(error as Error).message}`);
  }
  const result = validator.safeParse(input);
  return result.success ? [] : fieldProblems(result.error.issues);
}

/** A 400 problem listing every field that misses the deployment's input schema (the REST API and the CLI). */
export function checkRunInput(flow: DeployedFlow, input: unknown, what = "The request body"): void {
  const errors = validateInput(flow.inputSchema, input);
  if (errors.length > 0) {
    throw new HttpProblem(
      400,
      "validation",
      `${what} does not match the input schema of ${flow.slug} (version ${flow.versionNumber})`,
      { errors },
    );
  }
}
