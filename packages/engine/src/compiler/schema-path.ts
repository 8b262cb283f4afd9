/**
 * Static field checks against JSON Schema: does `path` name data that the schema allows? Answers
 * "no" only when the schema rules the field out (a closed object without it, an array read by name,
 * a scalar read into); anything the schema leaves open is "unknown", never a false alarm.
 */

export type PathCheck =
  { result: "yes" } | { result: "unknown" } | { result: "no"; at: number; known: string[] };

type Schema = Record<string, unknown>;

const MAX_STEPS = 200;

export function checkSchemaPath(schema: unknown, path: readonly (string | number)[]): PathCheck {
  let steps = 0;

  function resolve(node: unknown, root: unknown): unknown {
    let current = node;
    for (
      let hops = 0;
      hops < 20 && isSchema(current) && typeof current.$ref === "string";
      hops += 1
    ) {
      current = resolveRef(root, current.$ref);
    }
    return current;
  }

  function walk(node: unknown, index: number): PathCheck {
    steps += 1;
    if (steps > MAX_STEPS) return { result: "unknown" };
    const current = resolve(node, schema);
    if (current === false) return { result: "no", at: index, known: [] };
    if (!isSchema(current)) return { result: "unknown" };
    const branches = [current.anyOf, current.oneOf, current.allOf].filter(Array.isArray).flat();
    if (branches.length > 0) {
      const answers = branches.map((branch: unknown) => walk(branch, index));
      const own = hasOwnShape(current) ? [walkShape(current, index)] : [];
      const all = [...answers, ...own];
      if (all.some((answer) => answer.result === "yes")) return { result: "yes" };
      if (all.some((answer) => answer.result === "unknown")) return { result: "unknown" };
      const deepest = all.reduce((best, answer) =>
        answer.result === "no" && best.result === "no" && answer.at > best.at ? answer : best,
      );
      const known = [
        ...new Set(
          all.flatMap((answer) =>
            answer.result === "no" && answer.at === (deepest.result === "no" ? deepest.at : -1)
              ? answer.known
              : [],
          ),
        ),
      ];
      return deepest.result === "no" ? { result: "no", at: deepest.at, known } : deepest;
    }
    return walkShape(current, index);
  }

  function walkShape(current: Schema, index: number): PathCheck {
    if (index >= path.length) return { result: "yes" };
    const segment = path[index];
    const types = typesOf(current);
    if (typeof segment === "string") {
      if (types !== undefined && !types.includes("object"))
        return { result: "no", at: index, known: [] };
      const properties = isSchema(current.properties) ? current.properties : undefined;
      if (properties !== undefined && Object.hasOwn(properties, segment))
        return walk(properties[segment], index + 1);
      if (isSchema(current.patternProperties)) {
        for (const [pattern, sub] of Object.entries(current.patternProperties)) {
          if (safeTest(pattern, segment)) return walk(sub, index + 1);
        }
      }
      if (current.additionalProperties === false)
        return {
          result: "no",
          at: index,
          known: properties === undefined ? [] : Object.keys(properties),
        };
      if (isSchema(current.additionalProperties))
        return walk(current.additionalProperties, index + 1);
      return { result: "unknown" };
    }
    if (types !== undefined && !types.includes("array")) {
      return types.includes("object")
        ? { result: "unknown" }
        : { result: "no", at: index, known: [] };
    }
    const prefix = Array.isArray(current.prefixItems) ? current.prefixItems : undefined;
    if (segment !== undefined && prefix !== undefined && segment < prefix.length)
      return walk(prefix[segment], index + 1);
    if (current.items !== undefined && typeof current.items !== "boolean")
      return walk(current.items, index + 1);
    return { result: "unknown" };
  }

  return walk(schema, 0);
}

function hasOwnShape(schema: Schema): boolean {
  return schema.type !== undefined || schema.properties !== undefined || schema.items !== undefined;
}

function typesOf(schema: Schema): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type))
    return schema.type.filter((item): item is string => typeof item === "string");
  if (schema.properties !== undefined || schema.additionalProperties !== undefined)
    return ["object"];
  if (schema.items !== undefined || schema.prefixItems !== undefined) return ["array"];
  if (schema.const !== undefined || schema.enum !== undefined) return undefined;
  return undefined;
}

function resolveRef(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return true;
  let current: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isSchema(current) || !Object.hasOwn(current, key)) return true;
    current = current[key];
  }
  return current;
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return false;
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
