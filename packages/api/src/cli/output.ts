/** Where the CLI writes: stdout for results, stderr for messages; `--json` makes results machine-readable. */
export interface Output {
  json: boolean;
  /** Prints a result: JSON with --json, else the human lines. */
  result(value: unknown, human: () => string[]): void;
  error(message: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(
        json ? `${JSON.stringify(value, null, 2)}\n` : `${human().join("\n")}\n`,
      );
    },
    error(message) {
      process.stderr.write(
        json ? `${JSON.stringify({ error: message })}\n` : `runnel: ${message}\n`,
      );
    },
  };
}

/** Columns padded to the widest cell. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}
