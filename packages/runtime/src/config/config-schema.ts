/**
 * Config schemas: the shape of a component's config type, as `weaver generate` records it in the
 * manifest, and the validation of a TOML section against it. Deployers validate before starting
 * anything (secret references unresolved); the app validates again after resolving them.
 */
import { resolveSecret, isSecretRef } from "./secrets.js";

/** The shape of a config value. */
export type ConfigSchema =
  | { readonly kind: "string" }
  | { readonly kind: "number" }
  | { readonly kind: "boolean" }
  | { readonly kind: "date" }
  | { readonly kind: "literal"; readonly values: readonly (string | number | boolean)[] }
  | { readonly kind: "array"; readonly element: ConfigSchema }
  | { readonly kind: "record"; readonly value: ConfigSchema }
  | { readonly kind: "union"; readonly options: readonly ConfigSchema[] }
  | {
      readonly kind: "object";
      readonly fields: Readonly<Record<string, { readonly schema: ConfigSchema; readonly optional: boolean }>>;
    };

/** How secret references are treated while validating. */
export type SecretMode =
  /** Leave references unresolved and accept them wherever a scalar is expected (deployers). */
  | "keep"
  /**
   * Resolve references, then check the resolved value (the app process); relative `${file:...}`
   * paths are resolved against `resolveFrom`, the config file's folder.
   */
  | { readonly resolveFrom: string };

/** Describes a schema in words, for error messages. */
export function describeSchema(schema: ConfigSchema): string {
  switch (schema.kind) {
    case "string":
    case "number":
    case "boolean":
      return schema.kind;
    case "date":
      return "date-time";
    case "literal":
      return schema.values.map((v) => JSON.stringify(v)).join(" | ");
    case "array":
      return `array of ${describeSchema(schema.element)}`;
    case "record":
      return `table of ${describeSchema(schema.value)}`;
    case "union":
      return schema.options.map(describeSchema).join(" | ");
    case "object":
      return "table";
  }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date-time";
  if (value === null) return "null";
  if (typeof value === "object") return "table";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

const isScalar = (s: ConfigSchema): boolean => s.kind === "string" || s.kind === "number" || s.kind === "boolean" || s.kind === "literal";

/**
 * Checks `value` against `schema` and returns the value to hand to the component (secrets
 * resolved unless the mode is "keep"). Problems are appended to `errors` as `key: message`, where key is
 * the dotted path below the section; values are never quoted, since they may be secrets.
 */
export function checkConfigValue(schema: ConfigSchema, value: unknown, path: string, errors: string[], secrets: SecretMode): unknown {
  if (typeof value === "string" && isSecretRef(value) && isScalar(schema)) {
    if (secrets === "keep") return value;
    try {
      value = coerceSecret(schema, resolveSecret(value, secrets.resolveFrom), path);
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
      return undefined;
    }
  }
  const wrong = (): undefined => {
    errors.push(`${path}: expected ${describeSchema(schema)}, found ${describeValue(value)}`);
    return undefined;
  };
  switch (schema.kind) {
    case "string":
    case "boolean":
      return typeof value === schema.kind ? value : wrong();
    case "number":
      return typeof value === "number" ? value : wrong();
    case "date":
      return value instanceof Date ? value : wrong();
    case "literal":
      return schema.values.includes(value as string) ? value : wrong();
    case "array":
      if (!Array.isArray(value)) return wrong();
      return value.map((v, i) => checkConfigValue(schema.element, v, `${path}[${i}]`, errors, secrets));
    case "record": {
      if (!isTable(value)) return wrong();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        setOwn(out, k, checkConfigValue(schema.value, v, `${path}.${k}`, errors, secrets));
      }
      return out;
    }
    case "union": {
      for (const option of schema.options) {
        const attempt: string[] = [];
        const result = checkConfigValue(option, value, path, attempt, secrets);
        if (attempt.length === 0) return result;
      }
      return wrong();
    }
    case "object":
      if (!isTable(value)) return wrong();
      return checkTable(schema, value, path, errors, secrets);
  }
}

/** Checks a TOML table against an object schema: unknown keys, missing keys and each field. */
export function checkTable(
  schema: Extract<ConfigSchema, { kind: "object" }>,
  table: Record<string, unknown>,
  path: string,
  errors: string[],
  secrets: SecretMode,
): Record<string, unknown> {
  const prefix = path === "" ? "" : `${path}.`;
  const out: Record<string, unknown> = {};
  const known = Object.keys(schema.fields);
  for (const [key, value] of Object.entries(table)) {
    // Own fields only: a key such as "constructor" or "__proto__" is unknown, not Object's.
    const field = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
    if (field === undefined) {
      const hint = known.length > 0 ? `known keys: ${known.join(", ")}` : "this table takes no keys";
      errors.push(`${prefix}${key}: unknown key (${hint})`);
      continue;
    }
    setOwn(out, key, checkConfigValue(field.schema, value, `${prefix}${key}`, errors, secrets));
  }
  for (const [key, field] of Object.entries(schema.fields)) {
    if (!field.optional && !Object.hasOwn(table, key)) {
      errors.push(`${prefix}${key}: missing required key of type ${describeSchema(field.schema)}`);
    }
  }
  return out;
}

/** Sets an own property, even for keys such as "__proto__" that assignment would treat specially. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function coerceSecret(schema: ConfigSchema, text: string, path: string): unknown {
  if (schema.kind === "number") {
    const n = Number(text.trim());
    if (text.trim() === "" || Number.isNaN(n)) {
      throw new Error(`the secret referenced by ${path} is not a number`);
    }
    return n;
  }
  if (schema.kind === "boolean") {
    if (text.trim() === "true") return true;
    if (text.trim() === "false") return false;
    throw new Error(`the secret referenced by ${path} is not true or false`);
  }
  return text;
}
