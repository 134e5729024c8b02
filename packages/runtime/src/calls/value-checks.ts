/**
 * Checks of the values remote calls carry against the types their methods declare.
 *
 * `weaver generate` writes, per method, one check of the arguments and one of the result, as plain
 * JavaScript built from the helpers below (one function per named type of the app, so generated
 * code grows with the types, not with the number of ways to reach them). The runtime runs the
 * argument check in the server stub path, before the implementation sees anything
 * (component-server.ts), and the result check in the client stub path, before the caller does
 * (remote-calls.ts). Local calls are not checked: the compiler checked them.
 *
 * A check returns true or false, and allocates nothing while the value matches. When it does not,
 * the innermost failing check records what it expected and what it found (mismatch), and every
 * enclosing check adds its step into the value (within) as the failure unwinds; mismatchMessage
 * turns the record into a sentence. A union tries its alternatives in turn, and once all failed
 * records its own expectation over theirs. Checks are synchronous, so one record per process is
 * enough: the runtime reads it right after the check that failed returns. It is one per process
 * even with two copies of this package loaded (see process-global.ts), since generated code may
 * record through one copy what the runtime reads through another.
 */
import { processGlobal } from "../process-global.js";

// Values of unknown shape are what checks inspect; `any` lets generated code and the helpers read
// their properties without a cast at every step.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type Unchecked = any;

/** The checks of one method: of its positional arguments, and of its result. */
export interface MethodChecks {
  /** Tells whether the arguments match the parameters; records the mismatch when not. */
  readonly args: (args: readonly unknown[]) => boolean;
  /** Tells whether a result matches the declared result type; records the mismatch when not. */
  readonly result: (value: unknown) => boolean;
}

/** A step into a Map or Set: "key" or "element", the entry itself failed; "value", the value under `key` did. */
interface EntryStep {
  readonly entry: "key" | "value" | "element";
  readonly key?: unknown;
}

type Step = string | number | EntryStep;

/**
 * The last mismatch: what was expected, the value found, and the steps from the value's root to
 * it, innermost first. Valid from a failing check's return until mismatchMessage reads it.
 */
const last = processGlobal("value-check mismatch", 1, () => ({
  expected: "",
  found: undefined as unknown,
  showValue: false,
  steps: [] as Step[],
}));

/** Records that `value` is not of type `type`; returns false. */
export function mismatch(type: string, value: unknown): false {
  last.expected = type;
  last.found = value;
  last.showValue = false;
  last.steps.length = 0;
  return false;
}

/** Records a mismatch whose message shows the value (for literal, enum and template literal types); returns false. */
export function mismatchValue(type: string, value: unknown): false {
  mismatch(type, value);
  last.showValue = true;
  return false;
}

/** Adds a step (a property name, an index, a parameter name) to the path of the recorded mismatch; returns false. */
export function within(step: string | number): false {
  last.steps.push(step);
  return false;
}

function withinEntry(step: EntryStep): false {
  last.steps.push(step);
  return false;
}

/** Reads an own property: a property name that plain objects inherit (toString, constructor) reads as missing when the value lacks it. */
export function own(value: object, name: string): unknown {
  return Object.hasOwn(value, name) ? (value as Unchecked)[name] : undefined;
}

/** Checks that a call carries at most `max` arguments (callers always send one per parameter). */
export function checkArgs(args: readonly unknown[], max: number): boolean {
  if (args.length <= max) return true;
  mismatchValue(`at most ${max}`, args.length);
  return false;
}

/**
 * Checks a plain object (what an object type arrives as): not null, not an array, Map, Date or
 * class instance. Properties the type does not declare are allowed: a caller may pass a value of
 * a subtype, which TypeScript accepts, and the implementation cannot see them through the type.
 */
export function checkObject(value: unknown, type: string): boolean {
  if (typeof value === "object" && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return true;
  }
  return mismatch(type, value);
}

/** Checks every own property of a plain object (an index signature), or only those with numeric names. */
export function checkRecord(value: object, numeric: boolean, check: (v: Unchecked) => boolean): boolean {
  for (const key of Object.keys(value)) {
    if (numeric && !isNumericName(key)) continue;
    if (!check((value as Unchecked)[key])) return within(key);
  }
  return true;
}

function isNumericName(key: string): boolean {
  return key !== "" && String(Number(key)) === key;
}

/** Checks an array and each of its elements. */
export function checkArray(value: unknown, type: string, check: (v: Unchecked) => boolean): boolean {
  if (!Array.isArray(value)) return mismatch(type, value);
  for (let i = 0; i < value.length; i++) if (!check(value[i])) return within(i);
  return true;
}

/** Checks that a value is an array of `min` to `max` elements (a tuple; its elements are checked apart). */
export function checkTuple(value: unknown, type: string, min: number, max: number): boolean {
  return (Array.isArray(value) && value.length >= min && value.length <= max) || mismatch(type, value);
}

/** Checks the elements of a tuple's rest part: from index `from` to the `after` last, which follow it. */
export function checkRest(value: readonly unknown[], from: number, after: number, check: (v: Unchecked) => boolean): boolean {
  for (let i = from; i < value.length - after; i++) if (!check(value[i])) return within(i);
  return true;
}

/** Checks a Map (or ReadonlyMap) and each of its keys and values. */
export function checkMap(value: unknown, type: string, key: (v: Unchecked) => boolean, val: (v: Unchecked) => boolean): boolean {
  if (!(value instanceof Map)) return mismatch(type, value);
  for (const [k, v] of value) {
    if (!key(k)) return withinEntry({ entry: "key" });
    if (!val(v)) return withinEntry({ entry: "value", key: k });
  }
  return true;
}

/** Checks a Set (or ReadonlySet) and each of its elements. */
export function checkSet(value: unknown, type: string, check: (v: Unchecked) => boolean): boolean {
  if (!(value instanceof Set)) return mismatch(type, value);
  for (const v of value) if (!check(v)) return withinEntry({ entry: "element" });
  return true;
}

/**
 * Tests a string against a template literal type: `texts` are its literal parts, `holes` the
 * types between them (string, number, bigint, boolean, or a string mapping: Uppercase,
 * Lowercase, Capitalize, Uncapitalize). Like TypeScript, each hole takes the text up to the first
 * occurrence of the next literal part (one character when that part is empty), so a hostile
 * string costs linear time, never backtracking. Records nothing (the caller does).
 */
export function checkTemplate(value: unknown, texts: readonly string[], holes: readonly string[]): boolean {
  if (typeof value !== "string") return false;
  const first = texts[0]!;
  const last = texts[holes.length]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  const end = value.length - last.length;
  let pos = first.length;
  for (let i = 0; i < holes.length; i++) {
    let next = end;
    const delimiter = i + 1 < holes.length ? texts[i + 1]! : undefined;
    if (delimiter !== undefined) {
      next = delimiter === "" ? pos + 1 : value.indexOf(delimiter, pos);
      if (next < 0 || next > end) return false;
    }
    if (!holeMatches(holes[i]!, value.slice(pos, next))) return false;
    pos = next + (delimiter?.length ?? 0);
  }
  return true;
}

function holeMatches(hole: string, s: string): boolean {
  switch (hole) {
    case "string":
      return true;
    case "number":
      // TypeScript's rule for `${number}`: any text that converts to a finite number.
      return s.trim() !== "" && Number.isFinite(Number(s));
    case "bigint":
      return /^-?\d+$/.test(s);
    case "boolean":
      return s === "true" || s === "false";
    case "Uppercase":
      return s === s.toUpperCase();
    case "Lowercase":
      return s === s.toLowerCase();
    case "Capitalize":
      return s.slice(0, 1) === s.slice(0, 1).toUpperCase();
    case "Uncapitalize":
      return s.slice(0, 1) === s.slice(0, 1).toLowerCase();
    default:
      return false;
  }
}

/**
 * The sentence for the mismatch just recorded by a failed check of `method`'s (`component.method`)
 * arguments or result, e.g. `argument name of example/Cart.add: expected string, got object`
 * or `result of example/Cart.get: expected number, got string (at result.items[2].price)`.
 * Forgets the recorded value.
 */
export function mismatchMessage(what: "arguments" | "result", method: string): string {
  const path = [...last.steps].reverse();
  const got = describe(last.found, last.showValue);
  last.found = undefined;
  last.steps.length = 0;
  const mismatchText = `expected ${last.expected}, got ${got}`;
  if (what === "result") return `result of ${method}: ${mismatchText}${path.length > 0 ? ` (at result${render(path)})` : ""}`;
  const [param, ...inside] = path;
  if (param === undefined) return `arguments of ${method}: ${mismatchText}`;
  return `argument ${String(param)} of ${method}: ${mismatchText}${inside.length > 0 ? ` (at ${String(param)}${render(inside)})` : ""}`;
}

/** Renders steps as a JavaScript-like path: `.items[2].price`, `.get("k")`, `[key]`. */
function render(path: readonly Step[]): string {
  return path
    .map((s) => {
      if (typeof s === "number") return `[${s}]`;
      if (typeof s === "object") return s.entry === "value" ? `.get(${shortValue(s.key)})` : `[${s.entry}]`;
      return /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    })
    .join("");
}

function shortValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "bigint") return `${v}n`;
  return "…";
}

/** What a value is, for a message: its kind, or with `show` a primitive's value. */
function describe(v: unknown, show: boolean): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array of ${v.length} element${v.length === 1 ? "" : "s"}`;
  if (typeof v === "object") {
    if (v instanceof Date) return "Date";
    if (v instanceof Map) return "Map";
    if (v instanceof Set) return "Set";
    if (v instanceof Uint8Array) return "Uint8Array";
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) return "object";
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? `${name} instance` : "object";
  }
  if (show && (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint")) return shortValue(v);
  return typeof v;
}
