/**
 * The tRPC data transformer of the server and of every client (`@runnel/api/transformer`): superjson (dates, maps,
 * undefined survive the wire) with one addition. superjson refuses to serialize a plain object with a
 * `constructor`, `prototype` or `__proto__` key ("Detected property constructor. This is a prototype pollution
 * risk"), so one such key anywhere in user data (a webhook payload, an HTTP response, the data under review in an
 * approval) failed the whole response with HTTP 500. Such an object travels instead as its list of entries and
 * is rebuilt with Object.fromEntries, which defines own properties and never touches a prototype.
 */
import SuperJSON from "superjson";

const RUNNEL_OBJECT = "runnel.object";
const RISKY_KEYS = ["constructor", "prototype", "__proto__"] as const;

type PlainObject = Record<string, unknown>;
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** `[key, value]` pairs; the values are typed as JSON for superjson, which encodes them after this step. */
type Entries = [string, Json][];

function isPlainObjectWithRiskyKey(value: unknown): value is PlainObject {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return RISKY_KEYS.some((key) => Object.hasOwn(value, key));
}

function fromEntries(entries: Entries): PlainObject {
  if (
    !Array.isArray(entries) ||
    !entries.every((entry) => Array.isArray(entry) && typeof entry[0] === "string")
  ) {
    throw new Error(`${RUNNEL_OBJECT}: expected a list of [key, value] entries`);
  }
  return Object.fromEntries(entries);
}

const json = new SuperJSON();

json.registerCustom<PlainObject, Entries>(
  {
    isApplicable: isPlainObjectWithRiskyKey,
    // superjson walks the entries next, so values inside (dates, nested objects with such keys) are encoded too.
    serialize: (value) => Object.entries(value) as Entries,
    deserialize: fromEntries,
  },
  RUNNEL_OBJECT,
);

type Encoded = ReturnType<SuperJSON["serialize"]>;

export const transformer = {
  serialize(value: unknown): Encoded {
    const encoded = json.serialize(value);
    const meta = encoded.meta;
    // Shared references are restored by paths into the sent form, and a path cannot lead through an object sent
    // as entries: then the receiver gets equal copies instead of one shared object, which JSON data never minds.
    if (
      !meta?.referentialEqualities ||
      !JSON.stringify(meta.values ?? null).includes(RUNNEL_OBJECT)
    ) {
      return encoded;
    }
    const { referentialEqualities: _dropped, ...rest } = meta;
    return { json: encoded.json, meta: rest };
  },
  deserialize<T = unknown>(payload: Encoded): T {
    return json.deserialize<T>(payload);
  },
};
