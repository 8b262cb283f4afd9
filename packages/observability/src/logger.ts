import type { DestinationStream, Logger } from "pino";
import pino from "pino";

import type { LOG_LEVELS } from "./env";
import { currentLogContext } from "./log-context";
import { redactSecrets, redactText } from "./redact";

export type LogLevel = (typeof LOG_LEVELS)[number];
export type { Logger };

export interface LoggerOptions {
  level?: LogLevel;
  /** Default: standard output, written synchronously so a line is not lost when the process exits. */
  destination?: DestinationStream;
  /** Fields on every line (e.g. `{ service: "web" }`). */
  base?: Record<string, unknown>;
}

/**
 * One JSON object per line (pino): `level` as a name, `time` as ISO-8601, the request/org/run/node ids of the
 * current context (log-context.ts), and secrets redacted from every field and message (redact.ts).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "msg",
      errorKey: "err",
      mixin: () => ({ ...currentLogContext() }),
      formatters: {
        level: (label) => ({ level: label }),
        log: (record) => redactSecrets(record) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === "string" ? redactText(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
