import type { PriceTable } from "./pricing";
import { pricesWithOverrides } from "./pricing";

/**
 * The model price table with the operator's RUNNEL_AI_PRICES override laid over it (docs/ai.md). Read when the
 * AI service is first asked for a cost; a bad value fails the call naming the variable.
 */
export function pricesFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PriceTable {
  return pricesWithOverrides(env.RUNNEL_AI_PRICES, "RUNNEL_AI_PRICES");
}
