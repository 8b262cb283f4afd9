/**
 * Cost per call from list prices in USD per million tokens. The table, its source and date, and how operators
 * override it (RUNNEL_AI_PRICES) are in docs/ai.md; keep the three in step.
 */
export interface ModelPrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

export const PRICES_AS_OF = "2025-08";

export const DEFAULT_PRICES: PriceTable = {
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  "o4-mini": { input: 1.1, output: 4.4 },
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-opus-4": { input: 15, output: 75 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-3-7-sonnet": { input: 3, output: 15 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  "gemini-2.5-pro": { input: 1.25, output: 10 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4 },
};

export class PriceTableError extends Error {
  override readonly name = "PriceTableError";
}

function isPrice(value: unknown): value is ModelPrice {
  if (typeof value !== "object" || value === null) return false;
  const { input, output } = value as Record<string, unknown>;
  const ok = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n >= 0;
  return ok(input) && ok(output);
}

/**
 * Parses an override such as `{"llama3.2": {"input": 0, "output": 0}}` (USD per million tokens) and lays it over
 * the defaults; `source` names where it came from in errors.
 */
export function pricesWithOverrides(
  override: string | undefined,
  source = "RUNNEL_AI_PRICES",
): PriceTable {
  if (override === undefined || override.trim() === "") return DEFAULT_PRICES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(override);
  } catch (error) {
    throw new PriceTableError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new PriceTableError(`${source} must be a JSON object of model → { input, output }`);
  const table: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  for (const [model, price] of Object.entries(parsed)) {
    if (!isPrice(price))
      throw new PriceTableError(
        `${source}: "${model}" needs { "input": n, "output": n } in USD per million tokens (n ≥ 0)`,
      );
    table[model] = { input: price.input, output: price.output };
  }
  return table;
}

/**
 * The price of a model: an exact entry, else the longest entry the id starts with followed by "-" (dated
 * snapshots such as gpt-4o-mini-2024-07-18 or claude-sonnet-4-20250514), else none.
 */
export function priceOf(table: PriceTable, model: string): ModelPrice | undefined {
  if (Object.hasOwn(table, model)) return table[model];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/** USD for one call, rounded to a millionth of a dollar; null when the model has no price. */
export function costOf(
  table: PriceTable,
  model: string,
  usage: { inputTokens: number; outputTokens: number },
): number | null {
  const price = priceOf(table, model);
  if (price === undefined) return null;
  const usd = (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
  return Math.round(usd * 1_000_000) / 1_000_000;
}
