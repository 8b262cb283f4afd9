import { parseArgs } from "node:util";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";

import type { DbHandle } from "@runnel/db";

import type { CommandArgs } from "./commands";
import { flattenZodError } from "../trpc";
import { COMMANDS, HELP } from "./commands";
import { openDatabase } from "./database";
import { cliEnv } from "./env";
import { CliError, usageError } from "./errors";
import { createOutput } from "./output";

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  email: { type: "string" },
  password: { type: "string" },
  "password-stdin": { type: "boolean" },
  name: { type: "string" },
  org: { type: "string" },
  message: { type: "string" },
  version: { type: "string" },
  input: { type: "string" },
  wait: { type: "string" },
  url: { type: "string" },
  "api-key": { type: "string" },
  scopes: { type: "string" },
} as const;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A handler's TRPCError as a message with its field errors. */
function describe(error: unknown): string {
  if (error instanceof TRPCError && error.cause instanceof ZodError) {
    const { fieldErrors } = flattenZodError(error.cause);
    const fields = Object.entries(fieldErrors).map(
      ([path, messages]) => `  ${path}: ${messages.join("; ")}`,
    );
    return error.message.includes("\n") || fields.length === 0
      ? error.message
      : `${error.message}\n${fields.join("\n")}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const out = createOutput(json);
  let handle: DbHandle | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw usageError(error instanceof Error ? error.message : String(error));
    }
    const [group, action, ...positionals] = parsed.positionals;
    if (parsed.values.help || group === undefined || group === "help") {
      process.stdout.write(`${HELP}\n`);
      return group === undefined && !parsed.values.help ? 2 : 0;
    }
    const command = COMMANDS[`${group} ${action ?? ""}`];
    if (!command)
      throw usageError(`unknown command "${[group, action].filter(Boolean).join(" ")}"`);
    const env = cliEnv();
    const args: CommandArgs = {
      positionals,
      values: parsed.values,
      env,
      out,
      readStdin,
      async db() {
        handle ??= await openDatabase(env);
        return handle.db;
      },
    };
    await command(args);
    return 0;
  } catch (error) {
    out.error(describe(error));
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    await handle?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
