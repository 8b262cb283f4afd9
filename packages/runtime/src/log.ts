/** Where the runtime's own messages go (the executor uses the same shape). */
export type RuntimeLogLevel = "debug" | "info" | "warn" | "error";
export type RuntimeLog = (
  level: RuntimeLogLevel,
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Warnings and errors reach the console with a prefix; chatter does not. */
export function consoleLog(prefix: string): RuntimeLog {
  return (level, message, fields) => {
    if (level === "warn" || level === "error")
      console[level](`[${prefix}] ${message}`, fields ?? "");
  };
}

/** The Inngest SDK's logger shape, fed to a RuntimeLog. */
export function sdkLogger(log: RuntimeLog) {
  const line =
    (level: "info" | "debug" | "warn" | "error") =>
    (...args: unknown[]) =>
      log(
        level,
        args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "),
      );
  return { info: line("info"), debug: line("debug"), warn: line("warn"), error: line("error") };
}
