/**
 * The checks generated code runs on the values remote calls carry: for each type the TypeWalker
 * accepts, a JavaScript boolean expression that tells whether a value has that type, built from
 * the helpers of @weaver/core/codegen (see packages/runtime/src/calls/value-checks.ts, which also
 * describes how a failure is recorded).
 *
 * A check's code reads its value wherever VALUE stands, so a check composes by substitution: the
 * check of `{ x: number }` puts `v.x` where the number check has VALUE. Values are only ever a
 * parameter or a property or index access of one, cheap to read twice. Loops (arrays, maps, sets,
 * index signatures) pass an arrow function `(v) => ...` to a helper; its parameter shadows the
 * outer `v`, which the inner code never needs. A named type's check is a function of its own,
 * referred to by a token (`\u0002<id>\u0002`) that resolveSharedChecks replaces with its name, so that
 * checks grow with the size of the types, not with the number of paths to each.
 */
import type { ComponentModel } from "./model.js";

/** Where a check's code reads the value it checks. */
export const VALUE = "\u0001";

/** A check of a value against a type. */
export interface Check {
  /** A parenthesized boolean JavaScript expression reading the value at VALUE; records a mismatch when false. */
  readonly code: string;
  /** The same test without recording anything, for leaf types; unions combine these. */
  readonly test?: string | undefined;
  /** Whether a failed test should show the value (literal, enum and template literal types). */
  readonly showValue?: boolean;
  /** The type as failure messages name it: `string`, `Point`, `"a" | "b"`, `object`. */
  readonly expected: string;
  /** Whether a mismatch can lie inside the value (objects, arrays, maps...), so the path into it tells more than the type. */
  readonly deep: boolean;
  /** For a literal type: its JavaScript text. */
  readonly literal?: string;
  /** For an object type: its required properties of literal types (name to JavaScript text), which can tell union members apart. */
  readonly tags?: ReadonlyMap<string, string>;
}

const V = VALUE;
const str = (s: string): string => JSON.stringify(s);

/** A check as a function of its value: the check function of a named type itself, else an arrow function. */
function callback(check: Check): string {
  const named = NAMED_CALL.exec(check.code);
  return named !== null ? named[1]! : `(v) => ${checkAt(check.code, "v")}`;
}

/** The test that lets an optional element or property be missing, unless its check's `code` lets undefined through already. */
function missingOr(code: string, at: string): string {
  return code.startsWith(`(${V} === undefined || `) ? "" : `${at} === undefined || `;
}

/** Puts a value expression where a check's code reads its value. */
export function checkAt(code: string, value: string): string {
  return code.replaceAll(V, value);
}

/** A check of a leaf type: `test` tells whether the value matches. */
export function leaf(test: string, expected: string, showValue = false): Check {
  return {
    code: `(${test} || ${showValue ? "mismatchValue" : "mismatch"}(${str(expected)}, ${V}))`,
    test,
    showValue,
    expected,
    deep: false,
  };
}

/** The check of a primitive type. */
export function typeOf(name: "string" | "number" | "boolean" | "bigint"): Check {
  return leaf(`typeof ${V} === "${name}"`, name);
}

/** null and undefined. */
export const NULL = leaf(`${V} === null`, "null");
export const UNDEFINED = leaf(`${V} === undefined`, "undefined");

/** never: no value has it. */
export const NEVER: Check = { code: `mismatch("never", ${V})`, expected: "never", deep: false };

/** Instances of a global class (Date, Uint8Array). */
export function instanceOf(cls: "Date" | "Uint8Array"): Check {
  return leaf(`${V} instanceof ${cls}`, cls);
}

/** One of a few values (a literal type, an enum or one of its members), each written as JavaScript. */
export function oneOf(values: readonly string[], expected: string): Check {
  const check = leaf(values.map((v) => `${V} === ${v}`).join(" || "), expected, true);
  return values.length === 1 ? { ...check, literal: values[0] } : check;
}

/** A template literal type or string mapping: its literal parts and the kinds of its holes (see checkTemplate). */
export function template(texts: readonly string[], holes: readonly string[], expected: string): Check {
  return leaf(`checkTemplate(${V}, ${JSON.stringify(texts)}, ${JSON.stringify(holes)})`, expected, true);
}

/**
 * A union. When all but null and undefined is one type with an inside, a mismatch in there is
 * reported where it is (`expected number, got string (at p.x)` rather than `expected Point |
 * undefined, got object`); otherwise the union reports itself once every alternative failed.
 */
export function union(parts: readonly Check[], label: string | undefined): Check {
  const unique = parts.filter((p, i) => parts.findIndex((q) => q.code === p.code) === i);
  const expected = label ?? unique.map((p) => p.expected).join(" | ");
  const nullish = unique.filter((p) => p === NULL || p === UNDEFINED || p.code === NULL.code || p.code === UNDEFINED.code);
  const others = unique.filter((p) => !nullish.includes(p));
  const only = others[0];
  if (others.length === 1 && only !== undefined && only.deep) {
    const tests = nullish.map((p) => p.test!);
    return { code: `(${[...tests, only.code].join(" || ")})`, expected, deep: true };
  }
  const tag = discriminant(others);
  if (tag !== undefined) {
    // A discriminated union: the tag picks the member, whose own check then reports where it fails.
    const at = access(tag);
    const branches = others.map((p) => `${at} === ${p.tags!.get(tag)} ? ${p.code} : `).join("");
    const tags = others.map((p) => p.tags!.get(tag)!).join(" | ");
    const otherwise = `(mismatchValue(${str(tags)}, ${at}) || within(${str(tag)}))`;
    const dispatch = `(checkObject(${V}, ${str(expected)}) && (${branches}${otherwise}))`;
    return { code: `(${[...nullish.map((p) => p.test!), dispatch].join(" || ")})`, expected, deep: true };
  }
  if (unique.every((p) => p.test !== undefined)) {
    return leaf(
      unique.map((p) => p.test!).join(" || "),
      expected,
      unique.some((p) => p.showValue === true),
    );
  }
  const alternatives = unique.map((p) => p.test ?? p.code);
  return { code: `(${alternatives.join(" || ")} || mismatch(${str(expected)}, ${V}))`, expected, deep: unique.some((p) => p.deep) };
}

/** The name of a property of literal type that every member of a union has, with a different value in each. */
function discriminant(members: readonly Check[]): string | undefined {
  if (members.length < 2 || members.some((m) => m.tags === undefined)) return undefined;
  for (const name of members[0]!.tags!.keys()) {
    const values = members.map((m) => m.tags!.get(name));
    if (values.every((v) => v !== undefined) && new Set(values).size === values.length) return name;
  }
  return undefined;
}

/** An intersection: every part must hold. */
export function intersection(parts: readonly Check[], label: string | undefined): Check {
  if (parts.length === 1) return label === undefined ? parts[0]! : { ...parts[0]!, expected: label };
  const tags = new Map(parts.flatMap((p) => [...(p.tags ?? [])]));
  return {
    code: `(${parts.map((p) => p.code).join(" && ")})`,
    expected: label ?? parts.map((p) => p.expected).join(" & "),
    deep: parts.some((p) => p.deep),
    ...(tags.size > 0 ? { tags } : {}),
  };
}

/** An array or readonly array. */
export function array(element: Check, expected: string): Check {
  return { code: `checkArray(${V}, ${str(expected)}, ${callback(element)})`, expected, deep: true };
}

/** An element of a tuple type. */
export interface TupleElement {
  readonly check: Check;
  readonly kind: "required" | "optional" | "rest";
}

/** A tuple: its length, then each element; a rest element (`...T[]`) may stand anywhere once. */
export function tuple(elements: readonly TupleElement[], expected: string): Check {
  const restAt = elements.findIndex((e) => e.kind === "rest");
  const min = elements.filter((e) => e.kind === "required").length;
  const max = restAt < 0 ? elements.length : Number.POSITIVE_INFINITY;
  const parts = [`checkTuple(${V}, ${str(expected)}, ${min}, ${max === Number.POSITIVE_INFINITY ? "Infinity" : max})`];
  elements.forEach((e, i) => {
    if (e.kind === "rest") {
      parts.push(`checkRest(${V}, ${i}, ${elements.length - 1 - i}, ${callback(e.check)})`);
      return;
    }
    // Elements after a rest element are counted from the end.
    const index = restAt >= 0 && i > restAt ? `${V}.length - ${elements.length - i}` : String(i);
    const at = `${V}[${index}]`;
    const missing = e.kind === "optional" ? missingOr(e.check.code, at) : "";
    parts.push(`(${missing}${checkAt(e.check.code, at)} || within(${index}))`);
  });
  return { code: `(${parts.join(" && ")})`, expected, deep: true };
}

/** A Map or ReadonlyMap. */
export function map(key: Check, value: Check, expected: string): Check {
  return {
    code: `checkMap(${V}, ${str(expected)}, ${callback(key)}, ${callback(value)})`,
    expected,
    deep: true,
  };
}

/** A Set or ReadonlySet. */
export function set(element: Check, expected: string): Check {
  return { code: `checkSet(${V}, ${str(expected)}, ${callback(element)})`, expected, deep: true };
}

/** A property of an object type. */
export interface PropertyCheck {
  readonly name: string;
  readonly optional: boolean;
  readonly check: Check;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * A plain object type: its declared properties (an optional one may be missing or undefined) and
 * its index signature, whose check applies to every own property (with `numeric`, to those with
 * numeric names). Extra properties are allowed (see checkObject). An empty object type only
 * occurs as part of an intersection, where it means "not null or undefined".
 */
export function object(props: readonly PropertyCheck[], index: { check: Check; numeric: boolean } | undefined, expected: string): Check {
  if (props.length === 0 && index === undefined) return leaf(`${V} !== null && ${V} !== undefined`, "{}");
  const parts = [`checkObject(${V}, ${str(expected)})`];
  const tags = new Map<string, string>();
  for (const p of props) {
    const at = access(p.name);
    if (!p.optional && p.check.literal !== undefined) tags.set(p.name, p.check.literal);
    const missing = p.optional ? missingOr(p.check.code, at) : "";
    parts.push(`(${missing}${checkAt(p.check.code, at)} || within(${str(p.name)}))`);
  }
  if (index !== undefined) parts.push(`checkRecord(${V}, ${index.numeric}, ${callback(index.check)})`);
  return { code: `(${parts.join(" && ")})`, expected, deep: true, ...(tags.size > 0 ? { tags } : {}) };
}

/** Reads a property of the value; a name every object inherits (toString, constructor) is read as an own property. */
function access(name: string): string {
  if (name in Object.prototype) return `own(${V}, ${str(name)})`;
  return IDENT.test(name) ? `${V}.${name}` : `${V}[${str(name)}]`;
}

/** A reference to the check function of shared type `id` (a named type), which resolveChecks names. */
export function sharedCheck(id: number, named: Check): Check {
  return {
    code: `\u0002${id}\u0002(${V})`,
    expected: named.expected,
    deep: named.deep,
    ...(named.tags === undefined ? {} : { tags: named.tags }),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: tokens are control characters, which generated text never holds unescaped.
const CHECK_TOKEN = /\u0002(\d+)\u0002/g;
/** The code of a check that only calls a named type's check function. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const NAMED_CALL = /^(\u0002\d+\u0002)\(\u0001\)$/;

/** The ids of the shared types a check's code calls. */
function sharedCheckIds(code: string): number[] {
  return [...code.matchAll(CHECK_TOKEN)].map((m) => Number(m[1]));
}

/** Replaces the tokens of a check's code with the names of the check functions. */
function resolveCheckTokens(code: string, name: (id: number) => string): string {
  return code.replace(CHECK_TOKEN, (_, id: string) => name(Number(id)));
}

/**
 * Names the check functions of the shared types that the checks in `roots` reach, and resolves
 * check code: returns the resolver and a function declaration per reached type (a type refers
 * only to types walked before it, so one pass from the last reaches them all). Types reached
 * only from config types get no function, which would be unused.
 */
export function resolveSharedChecks(
  types: readonly { readonly name: string; readonly check: string }[],
  roots: readonly string[],
  name: (preferred: string) => string,
): { readonly resolve: (code: string) => string; readonly functions: readonly string[] } {
  const used = types.map(() => false);
  for (const root of roots) for (const id of sharedCheckIds(root)) used[id] = true;
  for (let i = types.length - 1; i >= 0; i--) if (used[i]) for (const id of sharedCheckIds(types[i]!.check)) used[id] = true;
  const names = types.map((t, i) => (used[i] ? name(t.name) : undefined));
  const resolve = (code: string): string => resolveCheckTokens(code, (id) => names[id]!);
  const functions = types.flatMap((t, i) =>
    names[i] === undefined ? [] : [`function ${names[i]}(v: any): boolean {\n  return ${checkAt(resolve(t.check), "v")};\n}`],
  );
  return { resolve, functions };
}

/**
 * The `checks` entry of a component's registration: per method, the check of its arguments (one
 * per parameter, each naming its parameter in the path of a mismatch; callers send exactly one
 * value per parameter, a rest parameter's as one array) and of its result.
 */
export function methodChecks(c: ComponentModel): string[] {
  if (c.methods.length === 0) return ["      checks: [],"];
  const out = ["      checks: ["];
  for (const m of c.methods) {
    const params = m.params.map((p, i) => {
      const at = `a[${i}]`;
      const missing = p.optional ? missingOr(p.check, at) : "";
      return ` && (${missing}${checkAt(p.check, at)} || within(${JSON.stringify(p.name)}))`;
    });
    const result = m.resultCheck === "true" ? "() => true" : `(v: any) => ${checkAt(m.resultCheck, "v")}`;
    out.push(
      `        // ${m.name}`,
      "        {",
      `          args: (a: any) => checkArgs(a, ${m.params.length})${params.join("")},`,
      `          result: ${result},`,
      "        },",
    );
  }
  out.push("      ],");
  return out;
}

/** The helpers of @weaver/core/codegen that generated checks call. */
export const CHECK_HELPERS = [
  "checkArgs",
  "checkArray",
  "checkMap",
  "checkObject",
  "checkRecord",
  "checkRest",
  "checkSet",
  "checkTemplate",
  "checkTuple",
  "mismatch",
  "mismatchValue",
  "own",
  "within",
] as const;

/** The helpers a piece of generated code calls (not counting names in its string literals, such as a literal type's). */
export function helpersUsed(code: string): string[] {
  const calls = code.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return CHECK_HELPERS.filter((h) => new RegExp(`\\b${h}\\(`).test(calls));
}
