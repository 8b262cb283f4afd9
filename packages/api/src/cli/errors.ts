/** A failure the CLI reports as one message and an exit code (1: failed, 2: wrong usage). */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

export function usageError(message: string): CliError {
  return new CliError(`${message}\nRun "pnpm runnel help" for the commands.`, 2);
}
