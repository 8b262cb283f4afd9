import { z } from "zod";

import type { Database } from "@runnel/db";

import type { Lookups } from "../lookups";
import type { DeployedFlow } from "./flows";
import type { FieldProblem } from "./problem";
import { findDeployedFlow } from "./flows";
import { fieldProblems, HttpProblem } from "./problem";

/** The org's enabled deployment named by deployment slug or flow id (through `lookups` when given), or a 404 problem. */
export async function deployedFlowOrProblem(
  db: Database,
  orgId: string,
  idOrSlug: string,
  lookups?: Lookups,
): Promise<DeployedFlow> {
  const load = () => findDeployedFlow(db, orgId, idOrSlug);
  const flow = await (lookups ? lookups.deployment(orgId, idOrSlug, load) : load());
  if (!flow) throw new HttpProblem(404, "not-found", `No deployed flow "${idOrSlug}" in this org`);
  return flow;
}

/** Compiled input schemas, per schema object (a cached deployment keeps its object, so it compiles once). */
const validators = new WeakMap<Record<string, unknown>, z.ZodType>();

function validatorFor(schema: Record<string, unknown>): z.ZodType {
  let validator = validators.get(schema);
  if (!validator) {
    try {
      validator = z.fromJSONSchema(schema);
    } catch (error) {
      throw new Error(`the deployed input schema is not usable: ${(error as Error).message}`);
    }
    validators.set(schema, validator);
  }
  return validator;
}

/** Checks the run input against the deployed version's input schema; every issue with its field path. */
export function inputProblems(schema: Record<string, unknown>, input: unknown): FieldProblem[] {
  const validator = validatorFor(schema);
  const result = validator.safeParse(input);
  return result.success ? [] : fieldProblems(result.error.issues);
}

/** A 400 problem listing every field that misses the deployment's input schema (the REST API and the CLI). */
export function checkRunInput(flow: DeployedFlow, input: unknown, what = "The request body"): void {
  const errors = inputProblems(flow.inputSchema, input);
  if (errors.length > 0) {
    throw new HttpProblem(
      400,
      "validation",
      `${what} does not match the input schema of ${flow.slug} (version ${flow.versionNumber})`,
      { errors },
    );
  }
}
