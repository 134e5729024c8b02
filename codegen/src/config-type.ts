/**
 * Config types: the second type argument of Implements<I, Config>(). A config type must be plain
 * data that TOML can express: a table (interface or type literal) of strings, numbers, booleans,
 * date-times, literal unions, arrays and nested tables (Record<string, T> for free-form keys).
 * The walker turns it into the ConfigSchema the runtime validates weaver.toml sections against.
 */
import type { ConfigSchema } from "@weaver/runtime/codegen";
import { ts, type Node, type Type } from "ts-morph";
import { libTypeName } from "./type-names.js";
import { NotSerializable } from "./type-walker.js";

/** What a config type may use; the hint of every problem with one. */
export const CONFIG_ALLOWED =
  "config types use strings, numbers, booleans, dates, literal unions, arrays and tables (interfaces or Record<string, T>)";

/**
 * Converts a config type to a schema; throws NotSerializable naming the part that is not plain
 * data, with a reason that completes "<path> (type <T>) ...", e.g. "is a function".
 */
export function configSchema(type: Type, root: string, location: Node): ConfigSchema {
  const show = (t: Type): string => t.getText(location, ts.TypeFormatFlags.NoTruncation);
  const fail = (t: Type, path: string, why: string): never => {
    throw new NotSerializable(path, show(t), why);
  };

  const walk = (t: Type, path: string, stack: Type[]): ConfigSchema => {
    if (stack.includes(t)) fail(t, path, "is recursive");
    if (t.isString()) return { kind: "string" };
    if (t.isNumber()) return { kind: "number" };
    if (t.isBoolean()) return { kind: "boolean" };
    if (t.isStringLiteral() || t.isNumberLiteral() || t.isEnumLiteral()) {
      return { kind: "literal", values: [t.getLiteralValue() as string | number] };
    }
    if (t.isBooleanLiteral()) return { kind: "literal", values: [t.getText() === "true"] };
    if (t.isUnion()) {
      const options = t.getUnionTypes().filter((u) => !u.isUndefined());
      const schemas = options.map((u) => walk(u, path, stack));
      if (schemas.every((s) => s.kind === "literal")) {
        const values = schemas.flatMap((s) => (s.kind === "literal" ? s.values : []));
        return values.length === 2 && values.includes(true) && values.includes(false) ? { kind: "boolean" } : { kind: "literal", values };
      }
      return schemas.length === 1 ? (schemas[0] as ConfigSchema) : { kind: "union", options: schemas };
    }
    if (!t.isObject()) return fail(t, path, "is not a string, number, boolean, date or table");
    if (libTypeName(t) === "Date") return { kind: "date" };
    if (t.isArray() || t.isReadonlyArray()) {
      return { kind: "array", element: walk(t.getArrayElementTypeOrThrow(), `${path}[number]`, [...stack, t]) };
    }
    const lib = libTypeName(t);
    if (lib !== undefined) return fail(t, path, `is a ${lib}`);
    if (t.isTuple()) return fail(t, path, "is a tuple; use an array");
    if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) return fail(t, path, "is a function");
    if (t.isClass() || (t.getSymbol()?.getFlags() ?? 0) & ts.SymbolFlags.Class) return fail(t, path, "is a class instance");
    const index = t.getStringIndexType();
    if (index !== undefined && t.getProperties().length === 0) {
      return { kind: "record", value: walk(index, `${path}[string]`, [...stack, t]) };
    }
    if (index !== undefined) return fail(t, path, "mixes named keys and an index signature");
    const fields: Record<string, { schema: ConfigSchema; optional: boolean }> = {};
    for (const prop of t.getProperties()) {
      const propType = prop.getTypeAtLocation(location);
      if (prop.getFlags() & ts.SymbolFlags.Method) fail(propType, `${path}.${prop.getName()}`, "is a method");
      fields[prop.getName()] = {
        schema: walk(propType, `${path}.${prop.getName()}`, [...stack, t]),
        optional: prop.isOptional(),
      };
    }
    return { kind: "object", fields };
  };

  const schema = walk(type, root, []);
  if (schema.kind !== "object") fail(type, root, "is not a table (an interface or type literal)");
  return schema;
}
