import { afterEach, describe, expect, it } from "vitest";
import { checkConfigValue, checkTable, describeSchema, type ConfigSchema, type SecretMode } from "./config-schema.js";

type ObjectSchema = Extract<ConfigSchema, { kind: "object" }>;

/** Checks one value; returns the result and the problems found. */
function check(schema: ConfigSchema, value: unknown, secrets: SecretMode = "keep"): { value: unknown; errors: string[] } {
  const errors: string[] = [];
  const out = checkConfigValue(schema, value, "k", errors, secrets);
  return { value: out, errors };
}

const STRING: ConfigSchema = { kind: "string" };
const NUMBER: ConfigSchema = { kind: "number" };
const BOOLEAN: ConfigSchema = { kind: "boolean" };

afterEach(() => {
  delete process.env["WEAVER_SCHEMA_TEST"];
});

describe("checkConfigValue", () => {
  it("string", () => {
    expect(check(STRING, "a")).toEqual({ value: "a", errors: [] });
    expect(check(STRING, 1).errors).toEqual(["k: expected string, found integer"]);
  });

  it("number: integers and floats", () => {
    expect(check(NUMBER, 3)).toEqual({ value: 3, errors: [] });
    expect(check(NUMBER, 2.5)).toEqual({ value: 2.5, errors: [] });
    expect(check(NUMBER, "3").errors).toEqual(["k: expected number, found string"]);
    expect(check(NUMBER, true).errors).toEqual(["k: expected number, found boolean"]);
  });

  it("boolean", () => {
    expect(check(BOOLEAN, false)).toEqual({ value: false, errors: [] });
    expect(check(BOOLEAN, "false").errors).toEqual(["k: expected boolean, found string"]);
  });

  it("date", () => {
    const d = new Date("1979-05-27T07:32:00Z");
    expect(check({ kind: "date" }, d)).toEqual({ value: d, errors: [] });
    expect(check({ kind: "date" }, "1979-05-27").errors).toEqual(["k: expected date-time, found string"]);
  });

  it("literal", () => {
    const schema: ConfigSchema = { kind: "literal", values: ["a", 1, true] };
    for (const v of ["a", 1, true]) expect(check(schema, v)).toEqual({ value: v, errors: [] });
    expect(check(schema, "b").errors).toEqual(['k: expected "a" | 1 | true, found string']);
    expect(check(schema, 2.5).errors).toEqual(['k: expected "a" | 1 | true, found number']);
  });

  it("array: every element, with its index in the path", () => {
    const schema: ConfigSchema = { kind: "array", element: NUMBER };
    expect(check(schema, [1, 2])).toEqual({ value: [1, 2], errors: [] });
    expect(check(schema, [1, "x", 3, null]).errors).toEqual(["k[1]: expected number, found string", "k[3]: expected number, found null"]);
    expect(check(schema, { a: 1 }).errors).toEqual(["k: expected array of number, found table"]);
  });

  it("record: every value, with its key in the path", () => {
    const schema: ConfigSchema = { kind: "record", value: STRING };
    expect(check(schema, { a: "x", b: "y" })).toEqual({ value: { a: "x", b: "y" }, errors: [] });
    expect(check(schema, { a: "x", b: 2 }).errors).toEqual(["k.b: expected string, found integer"]);
    expect(check(schema, ["x"]).errors).toEqual(["k: expected table of string, found array"]);
    expect(check(schema, new Date(0)).errors).toEqual(["k: expected table of string, found date-time"]);
  });

  it("record: a key named __proto__ stays an own key", () => {
    const table = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
    const { value } = check({ kind: "record", value: STRING }, table);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.entries(value as object)).toEqual([["__proto__", "x"]]);
  });

  it("union: the first option that fits", () => {
    const schema: ConfigSchema = { kind: "union", options: [NUMBER, { kind: "array", element: NUMBER }] };
    expect(check(schema, 1)).toEqual({ value: 1, errors: [] });
    expect(check(schema, [1, 2])).toEqual({ value: [1, 2], errors: [] });
    expect(check(schema, ["a"]).errors).toEqual(["k: expected number | array of number, found array"]);
  });

  it("object: nested fields with dotted paths", () => {
    const schema: ConfigSchema = {
      kind: "object",
      fields: {
        db: {
          schema: { kind: "object", fields: { url: { schema: STRING, optional: false }, pool: { schema: NUMBER, optional: true } } },
          optional: false,
        },
      },
    };
    expect(check(schema, { db: { url: "u" } })).toEqual({ value: { db: { url: "u" } }, errors: [] });
    expect(check(schema, { db: { pool: "x", other: 1 } }).errors).toEqual([
      "k.db.pool: expected number, found string",
      "k.db.other: unknown key (known keys: url, pool)",
      "k.db.url: missing required key of type string",
    ]);
    expect(check(schema, 1).errors).toEqual(["k: expected table, found integer"]);
  });

  describe("secret references", () => {
    it("are kept unresolved, for any scalar type, in keep mode", () => {
      for (const schema of [STRING, NUMBER, BOOLEAN, { kind: "literal", values: ["a"] } as const]) {
        expect(check(schema, "${env:WEAVER_SCHEMA_TEST}", "keep")).toEqual({ value: "${env:WEAVER_SCHEMA_TEST}", errors: [] });
      }
    });

    it("are not accepted where a table is expected", () => {
      expect(check({ kind: "record", value: STRING }, "${env:WEAVER_SCHEMA_TEST}").errors).toEqual([
        "k: expected table of string, found string",
      ]);
    });

    it("are resolved and coerced in resolve mode", () => {
      process.env["WEAVER_SCHEMA_TEST"] = "42";
      expect(check(NUMBER, "${env:WEAVER_SCHEMA_TEST}", { resolveFrom: process.cwd() })).toEqual({ value: 42, errors: [] });
      expect(check(STRING, "${env:WEAVER_SCHEMA_TEST}", { resolveFrom: process.cwd() })).toEqual({ value: "42", errors: [] });
      process.env["WEAVER_SCHEMA_TEST"] = "true";
      expect(check(BOOLEAN, "${env:WEAVER_SCHEMA_TEST}", { resolveFrom: process.cwd() })).toEqual({ value: true, errors: [] });
      process.env["WEAVER_SCHEMA_TEST"] = "b";
      expect(check({ kind: "literal", values: ["a", "b"] }, "${env:WEAVER_SCHEMA_TEST}", { resolveFrom: process.cwd() })).toEqual({
        value: "b",
        errors: [],
      });
    });

    it("inside arrays and unions are resolved too", () => {
      process.env["WEAVER_SCHEMA_TEST"] = "7";
      expect(check({ kind: "array", element: NUMBER }, [1, "${env:WEAVER_SCHEMA_TEST}"], { resolveFrom: process.cwd() }).value).toEqual([
        1, 7,
      ]);
      expect(check({ kind: "union", options: [NUMBER, BOOLEAN] }, "${env:WEAVER_SCHEMA_TEST}", { resolveFrom: process.cwd() }).value).toBe(
        7,
      );
    });

    it("that do not fit report the reference's path, never the value", () => {
      process.env["WEAVER_SCHEMA_TEST"] = "topsecret";
      for (const schema of [NUMBER, BOOLEAN, { kind: "literal", values: ["a"] } as const]) {
        const { errors } = check(schema, "${env:WEAVER_SCHEMA_TEST}", { resolveFrom: process.cwd() });
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^k: /);
        expect(errors[0]).not.toContain("topsecret");
      }
    });

    it("plain strings that merely contain ${...} are not references", () => {
      expect(check(STRING, "a ${env:X} b", { resolveFrom: process.cwd() })).toEqual({ value: "a ${env:X} b", errors: [] });
      expect(check(NUMBER, "x${env:WEAVER_SCHEMA_TEST}", "keep").errors).toEqual(["k: expected number, found string"]);
    });
  });
});

describe("checkTable", () => {
  const schema: ObjectSchema = {
    kind: "object",
    fields: {
      name: { schema: STRING, optional: false },
      size: { schema: NUMBER, optional: true },
    },
  };

  it("returns the known keys", () => {
    const errors: string[] = [];
    expect(checkTable(schema, { name: "n", size: 2 }, "", errors, "keep")).toEqual({ name: "n", size: 2 });
    expect(errors).toEqual([]);
  });

  it("reports unknown keys, naming the known ones, and missing required keys", () => {
    const errors: string[] = [];
    checkTable(schema, { nmae: "n" }, "", errors, "keep");
    expect(errors).toEqual(["nmae: unknown key (known keys: name, size)", "name: missing required key of type string"]);
  });

  it("says when a table takes no keys", () => {
    const errors: string[] = [];
    checkTable({ kind: "object", fields: {} }, { a: 1 }, "sec", errors, "keep");
    expect(errors).toEqual(["sec.a: unknown key (this table takes no keys)"]);
  });

  it("never mistakes Object.prototype's properties for fields or present keys", () => {
    const errors: string[] = [];
    const table = JSON.parse('{"constructor": 1, "toString": 2, "__proto__": 3}') as Record<string, unknown>;
    expect(() => checkTable(schema, table, "", errors, "keep")).not.toThrow();
    expect(errors).toEqual([
      "constructor: unknown key (known keys: name, size)",
      "toString: unknown key (known keys: name, size)",
      "__proto__: unknown key (known keys: name, size)",
      "name: missing required key of type string",
    ]);
    const required: ObjectSchema = { kind: "object", fields: { toString: { schema: STRING, optional: false } } };
    const missing: string[] = [];
    checkTable(required, {}, "", missing, "keep");
    expect(missing).toEqual(["toString: missing required key of type string"]);
  });
});

describe("describeSchema", () => {
  it("names every kind", () => {
    expect(
      [
        STRING,
        NUMBER,
        BOOLEAN,
        { kind: "date" },
        { kind: "literal", values: ["a", 2] },
        { kind: "array", element: STRING },
        { kind: "record", value: NUMBER },
        { kind: "union", options: [STRING, BOOLEAN] },
        { kind: "object", fields: {} },
      ].map((s) => describeSchema(s as ConfigSchema)),
    ).toEqual(["string", "number", "boolean", "date-time", '"a" | 2', "array of string", "table of number", "string | boolean", "table"]);
  });
});
