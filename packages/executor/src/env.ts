import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

/** Defaults for the standalone executor's flags (flags win). */
export const env = createEnv({
  server: {
    RUNNEL_EXECUTOR_DATABASE_URL: z.string().url().optional(),
    RUNNEL_EXECUTOR_DATA_DIR: z.string().min(1).optional(),
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
});
