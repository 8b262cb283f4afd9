/**
 * Shape check of cron expressions as croner accepts them: 5 fields (minute hour day-of-month month
 * day-of-week) or 6 with seconds first, or a nickname (@hourly…). Each field is a comma list of `*`,
 * values or ranges with an optional `/step`; names for months and weekdays; `?` in the day fields;
 * `L`/`W` in day-of-month and `L`/`#` in day-of-week. Returns a message, or undefined when it fits.
 */
export function checkCronExpression(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (NICKNAMES.has(trimmed.toLowerCase())) return undefined;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `a cron expression has 5 fields (minute hour day month weekday) or 6 (with seconds first); got ${fields.length}`;
  }
  const specs = fields.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  for (const [index, field] of fields.entries()) {
    const spec = specs[index];
    if (spec === undefined) return "too many fields";
    const problem = checkField(field, spec);
    if (problem !== undefined) return `${spec.name} field "${field}": ${problem}`;
  }
  return undefined;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Offset of names[0] (months start at 1, weekdays at 0). */
  namesFrom?: number;
  day?: "month" | "week";
}

const SECOND: FieldSpec = { name: "second", min: 0, max: 59 };
const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, day: "month" },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    namesFrom: 1,
  },
  {
    name: "day-of-week",
    min: 0,
    max: 7,
    names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    namesFrom: 0,
    day: "week",
  },
];

const NICKNAMES = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]);

function checkField(field: string, spec: FieldSpec): string | undefined {
  for (const part of field.split(",")) {
    const problem = checkPart(part, spec);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkPart(part: string, spec: FieldSpec): string | undefined {
  if (part === "") return "empty list item";
  if (part === "?" && spec.day !== undefined) return undefined;
  if (spec.day === "month" && (part === "L" || /^\d{1,2}W$/.test(part) || part === "LW")) {
    return part.endsWith("W") && part !== "LW" ? checkValue(part.slice(0, -1), spec) : undefined;
  }
  if (spec.day === "week" && /^[0-7A-Z]{1,3}(L|#[1-5])$/i.test(part)) {
    return checkValue(part.replace(/(L|#[1-5])$/i, ""), spec);
  }
  const [range, step, extra] = part.split("/");
  if (extra !== undefined) return `"${part}" has more than one step`;
  if (step !== undefined && !/^[1-9]\d*$/.test(step))
    return `step "${step}" must be a positive number`;
  if (range === undefined || range === "*") return undefined;
  const [from, to, beyond] = range.split("-");
  if (beyond !== undefined) return `"${range}" is not a range`;
  if (from === undefined) return "empty value";
  const low = checkValue(from, spec);
  if (low !== undefined) return low;
  if (to === undefined) return undefined;
  const high = checkValue(to, spec);
  if (high !== undefined) return high;
  return undefined;
}

function checkValue(value: string, spec: FieldSpec): string | undefined {
  if (/^\d+$/.test(value)) {
    const number = Number(value);
    return number >= spec.min && number <= spec.max
      ? undefined
      : `${value} is outside ${spec.min}-${spec.max}`;
  }
  if (spec.names?.includes(value.toUpperCase()) === true) return undefined;
  return `"${value}" is not a number${spec.names === undefined ? "" : ` or a name (${spec.names.join(", ")})`}`;
}
