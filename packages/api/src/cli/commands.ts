import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

import type { Database } from "@runnel/db";
import { EmailTakenError, generateApiKey, registerUser, writeAudit } from "@runnel/auth";
import { and, asc, eq, isNull, sql } from "@runnel/db";
import { apiKeys, flows, memberships, orgs } from "@runnel/db/schema";

import type { ServiceCtx } from "../router/flows/shared";
import type { ApiKeyScope } from "../security/scopes";
import type { CliEnv } from "./env";
import type { Output } from "./output";
import { SignUpInput } from "../router/auth";
import { publishFlow } from "../router/flows/publish.handler";
import { exportFlow, importFlow } from "../router/flows/transfer.handler";
import { FlowDocument } from "../router/flows/transfer.schema";
import { API_KEY_SCOPES, isApiKeyScope } from "../security/scopes";
import { CliError, usageError } from "./errors";
import { table } from "./output";
import { runsGet, runsStart } from "./runs";

export interface CommandArgs {
  positionals: string[];
  values: {
    email?: string;
    password?: string;
    "password-stdin"?: boolean;
    name?: string;
    org?: string;
    message?: string;
    version?: string;
    input?: string;
    wait?: string;
    url?: string;
    "api-key"?: string;
    scopes?: string;
  };
  env: CliEnv;
  out: Output;
  /** Opens the database on first use (so `help` and usage errors never touch it). */
  db(): Promise<Database>;
  readStdin(): Promise<string>;
}

/** The handlers' context for an operator: audit rows carry no user or key, and `via: "cli"`. */
function operatorCtx(db: Database, orgId: string): ServiceCtx {
  return {
    db,
    org: { id: orgId },
    userId: null,
    audit: (tx, entry) =>
      writeAudit(tx, {
        ...entry,
        orgId,
        actorUserId: null,
        actorApiKeyId: null,
        ip: null,
        metadata: { ...entry.metadata, via: "cli" },
      }),
  };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === "") throw usageError(`--${flag} is required`);
  return value;
}

function issuesText(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) => `  ${issue.path.map(String).join(".") || "(document)"}: ${issue.message}`)
    .join("\n");
}

async function orgBySlug(db: Database, slug: string) {
  const [org] = await db.select().from(orgs).where(eq(orgs.slug, slug)).limit(1);
  if (!org) throw new CliError(`no org with the slug "${slug}" (see "pnpm runnel orgs list")`);
  return org;
}

async function flowById(db: Database, id: string) {
  const [flow] = await db
    .select({ id: flows.id, orgId: flows.orgId, name: flows.name })
    .from(flows)
    .where(and(eq(flows.id, id), isNull(flows.deletedAt)))
    .limit(1);
  if (!flow) throw new CliError(`no flow with the id ${id}`);
  return flow;
}

async function usersCreate(args: CommandArgs): Promise<void> {
  const email = required(args.values.email, "email");
  const password = args.values["password-stdin"]
    ? (await args.readStdin()).replace(/\r?\n$/, "")
    : required(args.values.password, "password (or --password-stdin)");
  const parsed = SignUpInput.safeParse({
    name: args.values.name ?? email.split("@")[0] ?? email,
    email,
    password,
  });
  if (!parsed.success) throw new CliError(`invalid user:\n${issuesText(parsed.error.issues)}`);
  const db = await args.db();
  try {
    const { userId, orgId } = await registerUser(db, parsed.data);
    const [org] = await db.select().from(orgs).where(eq(orgs.id, orgId));
    const result = { userId, email: parsed.data.email, org: { id: orgId, slug: org?.slug ?? "" } };
    args.out.result(result, () => [
      `Created user ${result.email} (${userId})`,
      `Personal org: ${result.org.slug} (${orgId})`,
    ]);
  } catch (error) {
    if (error instanceof EmailTakenError) throw new CliError(error.message);
    throw error;
  }
}

async function orgsList(args: CommandArgs): Promise<void> {
  const db = await args.db();
  const rows = await db
    .select({
      id: orgs.id,
      name: orgs.name,
      slug: orgs.slug,
      personal: orgs.personal,
      members: sql<number>`count(${memberships.userId})`.mapWith(Number),
      createdAt: orgs.createdAt,
    })
    .from(orgs)
    .leftJoin(memberships, eq(memberships.orgId, orgs.id))
    .groupBy(orgs.id)
    .orderBy(asc(orgs.createdAt), asc(orgs.slug));
  args.out.result(rows, () =>
    rows.length === 0
      ? ["No orgs yet (create a user: pnpm runnel users create --email … --password …)"]
      : table([
          ["SLUG", "NAME", "MEMBERS", "ID"],
          ...rows.map((o) => [o.slug, o.name, String(o.members), o.id]),
        ]),
  );
}

/** `--scopes runs:read[,runs:write]`; unset: no scopes (the key may do everything an editor may). */
function parseScopes(raw: string | undefined): ApiKeyScope[] {
  if (raw === undefined) return [];
  const scopes = raw
    .split(",")
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !isApiKeyScope(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw usageError(
      `--scopes takes ${API_KEY_SCOPES.join(", ")} (comma-separated)${unknown.length > 0 ? `; unknown: ${unknown.join(", ")}` : ""}`,
    );
  }
  return [...new Set(scopes as ApiKeyScope[])];
}

async function keysCreate(args: CommandArgs): Promise<void> {
  const slug = required(args.values.org, "org");
  const name = required(args.values.name, "name").trim();
  if (name.length > 100) throw usageError("--name must be at most 100 characters");
  const scopes = parseScopes(args.values.scopes);
  const db = await args.db();
  const org = await orgBySlug(db, slug);
  const generated = generateApiKey();
  const row = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(apiKeys)
      .values({ orgId: org.id, name, prefix: generated.prefix, hash: generated.hash, scopes })
      .returning({
        id: apiKeys.id,
        name: apiKeys.name,
        prefix: apiKeys.prefix,
        scopes: apiKeys.scopes,
      });
    if (!inserted) throw new Error(`inserting API key "${name}" returned no row`);
    await writeAudit(tx, {
      action: "api_key.created",
      orgId: org.id,
      targetType: "api_key",
      targetId: inserted.id,
      metadata: { name, prefix: inserted.prefix, scopes, via: "cli" },
    });
    return inserted;
  });
  const result = { ...row, org: org.slug, key: generated.key };
  args.out.result(result, () => [
    `Created API key "${name}" for org ${org.slug} (${row.id})` +
      (scopes.length > 0 ? `, scopes ${scopes.join(", ")}.` : " (every scope: acts as editor)."),
    `Key (shown once, store it now): ${generated.key}`,
  ]);
}

async function flowsImport(args: CommandArgs): Promise<void> {
  const file = args.positionals[0];
  if (!file) throw usageError("give the file to import: flows import <file.json> --org <slug>");
  const slug = required(args.values.org, "org");
  const path = resolve(args.env.cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const document = FlowDocument.safeParse(json);
  if (!document.success) {
    throw new CliError(
      `${path} is not a Runnel flow document:\n${issuesText(document.error.issues)}`,
    );
  }
  const db = await args.db();
  const org = await orgBySlug(db, slug);
  const flow = await importFlow(operatorCtx(db, org.id), {
    document: document.data,
    ...(args.values.name === undefined ? {} : { name: args.values.name }),
  });
  args.out.result({ ...flow, org: org.slug }, () => [
    `Imported "${flow.name}" into ${org.slug} as ${flow.slug} (${flow.id}).`,
    `Publish it with: pnpm runnel flows publish ${flow.id}`,
  ]);
}

async function flowsExport(args: CommandArgs): Promise<void> {
  const id = args.positionals[0];
  if (!id) throw usageError("give the flow id: flows export <id> [--version <n>]");
  const version = args.values.version === undefined ? undefined : Number(args.values.version);
  if (version !== undefined && !(Number.isInteger(version) && version > 0)) {
    throw usageError("--version must be a positive whole number");
  }
  const db = await args.db();
  const flow = await flowById(db, id);
  const document = await exportFlow(operatorCtx(db, flow.orgId), {
    id: flow.id,
    ...(version === undefined ? {} : { version }),
  });
  // The document is JSON either way, ready for `flows import`.
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

async function flowsPublish(args: CommandArgs): Promise<void> {
  const id = args.positionals[0];
  if (!id) throw usageError("give the flow id: flows publish <id> [--message <text>]");
  const db = await args.db();
  const flow = await flowById(db, id);
  const version = await publishFlow(operatorCtx(db, flow.orgId), {
    id: flow.id,
    message: args.values.message ?? "",
  });
  args.out.result({ flowId: flow.id, ...version }, () => [
    `Published "${flow.name}" as version ${version.number} (${version.id}).`,
  ]);
}

export const COMMANDS: Record<string, (args: CommandArgs) => Promise<void>> = {
  "users create": usersCreate,
  "orgs list": orgsList,
  "keys create": keysCreate,
  "flows import": flowsImport,
  "flows export": flowsExport,
  "flows publish": flowsPublish,
  "runs start": runsStart,
  "runs get": runsGet,
};

export const HELP = `Runnel operator CLI (works on the app's database: DATABASE_URL, else the embedded PGlite folder)

Usage: pnpm -s runnel <command> [options] [--json]

  users create --email <email> (--password <password> | --password-stdin) [--name <name>]
  orgs list
  keys create --org <slug> --name <name> [--scopes runs:read]   prints the key once
  flows import <file.json> --org <slug> [--name <name>]
  flows export <flow id> [--version <n>]           prints the document (JSON) to stdout
  flows publish <flow id> [--message <text>]
  runs start <deployment slug or flow id> --org <slug> [--input <json>] [--wait <seconds>]
  runs get <run id>

  --json                 print results as JSON (errors as {"error": "…"} on stderr)
  --url, --api-key       runs through the running server's REST API (RUNNEL_URL, RUNNEL_API_KEY)
  help                   this text

With the embedded database, stop the server first: PGlite lets only one process open its data folder. Runs go
through the server (--url, --api-key) unless DATABASE_URL and the server's INNGEST_* executor settings are set.
Exit codes: 0 done, 1 failed (a run that failed or was cancelled too), 2 wrong usage, 3 still running after --wait.`;
