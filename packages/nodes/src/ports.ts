import type { z } from "zod";

import type { JsonValue } from "./context";

/** The kinds of data a port carries. `any` connects to everything; other types must match exactly. */
export const PORT_TYPES = ["any", "object", "array", "string", "number", "boolean"] as const;
export type PortType = (typeof PORT_TYPES)[number];

export type JsonObject = { [key: string]: JsonValue };

/** The TypeScript value of each port type. */
export interface PortTypeValues {
  any: JsonValue;
  object: JsonObject;
  array: JsonValue[];
  string: string;
  number: number;
  boolean: boolean;
}

export interface OutputPortSpec {
  type: PortType;
  label?: string;
  description?: string;
  /**
   * The shape of the data on this port (zod). Optional: when given, the compiler checks
   * expressions that read fields of this node's output, and the SDK validates the value.
   */
  schema?: z.ZodType;
}

export interface InputPortSpec extends OutputPortSpec {
  /** A required input must be connected (compile time) and live (run time). Default true. */
  required?: boolean;
  /**
   * A `multiple` input collects every live edge into an object keyed by source node id
   * (the merge node). A plain input takes the value of its single live edge.
   */
  multiple?: boolean;
}

export type InputPorts = Readonly<Record<string, InputPortSpec>>;
export type OutputPorts = Readonly<Record<string, OutputPortSpec>>;

/** The value carried by a port: its schema's output type when it has one, else its port type's value. */
export type PortData<P extends OutputPortSpec> = P extends { schema: infer S extends z.ZodType }
  ? z.output<S>
  : PortTypeValues[P["type"]];

type InputValue<P extends InputPortSpec> = P extends { multiple: true }
  ? Record<string, PortData<P>>
  : PortData<P>;

type OptionalKeys<I extends InputPorts> = {
  [K in keyof I]: I[K] extends { required: false }
    ? K
    : I[K] extends { multiple: true }
      ? K
      : never;
}[keyof I];

/**
 * The `inputs` an execute function receives: required ports are always present; optional and
 * `multiple` ports may be absent (a `multiple` port with no live edge is an empty object).
 */
export type NodeInputs<I extends InputPorts> = {
  [K in Exclude<keyof I, OptionalKeys<I>>]: InputValue<I[K]>;
} & {
  [K in OptionalKeys<I>]?: InputValue<I[K]>;
};

/** Whether two port types may be connected (source output → target input). */
export function portTypesCompatible(source: PortType, target: PortType): boolean {
  return source === "any" || target === "any" || source === target;
}

/** Checks a JSON value against a port type; returns a message when it does not fit. */
export function checkPortType(type: PortType, value: unknown): string | undefined {
  const actual = describeJsonType(value);
  if (actual === "undefined") return "has no value";
  if (type === "any" || type === actual) return undefined;
  return `expected ${type}, got ${actual}`;
}

/** The port type name of a JSON value (`null` counts as `any` only). */
export function describeJsonType(value: unknown): PortType | "null" | "undefined" | "non-JSON" {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return Number.isFinite(value) ? "number" : "non-JSON";
    case "boolean":
      return "boolean";
    case "object":
      return "object";
    default:
      return "non-JSON";
  }
}
