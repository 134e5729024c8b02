/**
 * The log query language: the subset of CEL that Service Weaver's `logs` command accepts.
 *
 *   query   := or
 *   or      := and ("||" and)*
 *   and     := unary ("&&" unary)*
 *   unary   := "!" unary | "(" query ")" | test
 *   test    := field op constant | field "." ("contains" | "matches") "(" string ")" | string "in" "attrs"
 *   field   := app | version | full_version | component | full_component | node | full_node
 *            | level | source | msg | time | attrs "[" string "]"
 *   op      := "==" | "!=" | "<" | "<=" | ">" | ">="
 *   constant:= string | number | timestamp "(" string ")"
 *
 * The field is on the left and a constant on the right. version, component and node are the
 * short forms shown in logs (8-character ids, `pkg.Iface`); the full_ forms are whole.
 * `attrs["k"]` tests the attribute k and is false when the entry has none. `time` compares with
 * `timestamp("2026-01-02T15:04:05Z")`. `.matches()` takes a regular expression in RE2 syntax,
 * matched in linear time (linear-regex.ts): a query never stalls the process that runs it.
 *
 * Examples: `version == "bd689290" && level == "error"`, `msg.contains("listener")`,
 * `attrs["user"] == "ada"`, `time >= timestamp("2026-11-22T10:00:00Z")`.
 */
import type { LogEntry } from "./log-entry.js";
import { runtimeError } from "../errors.js";
import { compileLinearRegex, RegexSyntaxError, type LinearRegex } from "./linear-regex.js";

/** A compiled query. */
export type LogFilter = (entry: LogEntry) => boolean;

const FIELDS = new Set([
  "app",
  "version",
  "full_version",
  "component",
  "full_component",
  "node",
  "full_node",
  "level",
  "source",
  "msg",
  "time",
  "attrs",
]);

type Token =
  | { kind: "ident"; value: string; at: number }
  | { kind: "string"; value: string; at: number }
  | { kind: "number"; value: number; at: number }
  | { kind: "op"; value: string; at: number }
  | { kind: "end"; at: number };

/** Compiles a query; throws WEAVER_ERR_LOG_QUERY naming the position of the first mistake. */
export function compileLogQuery(query: string): LogFilter {
  if (query.trim() === "") return () => true;
  return new Parser(query).parse();
}

/** The value of a field of an entry, as the query language sees it. */
function fieldValue(entry: LogEntry, field: string): string | number {
  switch (field) {
    case "app":
      return entry.app;
    case "version":
      return entry.version.slice(0, 8);
    case "full_version":
      return entry.version;
    case "component":
    case "full_component":
      return entry.component;
    case "node":
      return entry.node.slice(0, 8);
    case "full_node":
      return entry.node;
    case "level":
      return entry.level;
    case "source":
      return entry.file === "" ? "" : `${entry.file}:${entry.line}`;
    case "msg":
      return entry.msg;
    default:
      return entry.time / 1000; // time, in milliseconds
  }
}

class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  #i = 0;

  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text, (at, what) => this.#fail(at, what));
  }

  parse(): LogFilter {
    const filter = this.#or();
    const rest = this.#peek();
    if (rest.kind !== "end") this.#fail(rest.at, `unexpected ${show(rest)}; join conditions with && or ||`);
    return filter;
  }

  #fail(at: number, what: string): never {
    throw runtimeError("WEAVER_ERR_LOG_QUERY", `invalid log query at position ${at + 1}: ${what}\n  ${this.#text}\n  ${" ".repeat(at)}^`);
  }

  #peek(): Token {
    return this.#tokens[this.#i] as Token;
  }

  #next(): Token {
    return this.#tokens[this.#i++] as Token;
  }

  #accept(op: string): boolean {
    const t = this.#peek();
    if (t.kind === "op" && t.value === op) {
      this.#i++;
      return true;
    }
    return false;
  }

  #expect(op: string): void {
    const t = this.#peek();
    if (!this.#accept(op)) this.#fail(t.at, `expected ${op}, found ${show(t)}`);
  }

  #string(what: string): string {
    const t = this.#next();
    if (t.kind !== "string") this.#fail(t.at, `expected ${what} (a quoted string), found ${show(t)}`);
    return t.value;
  }

  #or(): LogFilter {
    let left = this.#and();
    while (this.#accept("||")) {
      const a = left;
      const b = this.#and();
      left = (e) => a(e) || b(e);
    }
    return left;
  }

  #and(): LogFilter {
    let left = this.#unary();
    while (this.#accept("&&")) {
      const a = left;
      const b = this.#unary();
      left = (e) => a(e) && b(e);
    }
    return left;
  }

  #unary(): LogFilter {
    if (this.#accept("!")) {
      const inner = this.#unary();
      return (e) => !inner(e);
    }
    if (this.#accept("(")) {
      const inner = this.#or();
      this.#expect(")");
      return inner;
    }
    return this.#test();
  }

  #test(): LogFilter {
    const t = this.#next();
    if (t.kind === "string") {
      const at = this.#peek();
      if (!(at.kind === "ident" && at.value === "in")) this.#fail(at.at, `expected in after ${show(t)} (as in "key" in attrs)`);
      this.#i++;
      const target = this.#next();
      if (!(target.kind === "ident" && target.value === "attrs")) this.#fail(target.at, `expected attrs, found ${show(target)}`);
      return (e) => Object.hasOwn(e.attrs, t.value);
    }
    if (t.kind !== "ident") this.#fail(t.at, `expected a field (${[...FIELDS].join(", ")}), found ${show(t)}`);
    if (!FIELDS.has(t.value)) this.#fail(t.at, `unknown field ${t.value}; fields are ${[...FIELDS].join(", ")}`);
    let get: (e: LogEntry) => string | number | undefined = (e) => fieldValue(e, t.value);
    if (t.value === "attrs") {
      this.#expect("[");
      const key = this.#string("an attribute name");
      this.#expect("]");
      get = (e) => (Object.hasOwn(e.attrs, key) ? e.attrs[key] : undefined);
    }
    if (this.#accept(".")) return this.#method(get, t.value);
    const op = this.#next();
    if (op.kind !== "op" || !["==", "!=", "<", "<=", ">", ">="].includes(op.value)) {
      this.#fail(op.at, `expected a comparison (==, !=, <, <=, >, >=) or .contains(...) after ${t.value}, found ${show(op)}`);
    }
    const constant = this.#constant(t.value === "time");
    return compare(get, op.value, constant);
  }

  #method(get: (e: LogEntry) => string | number | undefined, field: string): LogFilter {
    const name = this.#next();
    if (name.kind !== "ident" || (name.value !== "contains" && name.value !== "matches")) {
      this.#fail(name.at, `expected contains or matches after ${field}., found ${show(name)}`);
    }
    if (field === "time") this.#fail(name.at, 'time is a timestamp; compare it with timestamp("...")');
    this.#expect("(");
    const argAt = this.#peek().at;
    const arg = this.#string(name.value === "matches" ? "a regular expression" : "a string");
    this.#expect(")");
    if (name.value === "contains") {
      return (e) => {
        const v = get(e);
        return typeof v === "string" && v.includes(arg);
      };
    }
    let re: LinearRegex;
    try {
      re = compileLinearRegex(arg);
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      this.#fail(rawOffset(this.#text, argAt, err.at), `bad regular expression (RE2 syntax): ${err.message}`);
    }
    return (e) => {
      const v = get(e);
      return typeof v === "string" && re.test(v);
    };
  }

  #constant(time: boolean): string | number {
    const t = this.#next();
    if (time) {
      if (!(t.kind === "ident" && t.value === "timestamp"))
        this.#fail(t.at, `time compares with timestamp("2026-01-02T15:04:05Z"), found ${show(t)}`);
      this.#expect("(");
      const argAt = this.#peek().at;
      const text = this.#string("an RFC 3339 time");
      this.#expect(")");
      const ms = Date.parse(text);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(ms)) {
        this.#fail(argAt, `"${text}" is not an RFC 3339 time such as "2026-01-02T15:04:05Z"`);
      }
      return ms;
    }
    if (t.kind === "string" || t.kind === "number") return t.value;
    return this.#fail(t.at, `expected a constant (a quoted string or a number), found ${show(t)}`);
  }
}

function compare(get: (e: LogEntry) => string | number | undefined, op: string, c: string | number): LogFilter {
  return (e) => {
    const raw = get(e);
    if (raw === undefined) return false;
    const v = typeof c === "number" && typeof raw === "string" ? Number(raw) : raw;
    switch (op) {
      case "==":
        return v === c;
      case "!=":
        return v !== c;
      case "<":
        return v < c;
      case "<=":
        return v <= c;
      case ">":
        return v > c;
      default:
        return v >= c;
    }
  };
}

/** The offset in the query of character `index` of the string token that starts (with its quote) at `quoteAt`. */
function rawOffset(text: string, quoteAt: number, index: number): number {
  let i = quoteAt + 1;
  // Each escape (a backslash and the next character) is one character of the string's value.
  for (let n = 0; n < index && i < text.length; n++) i += text[i] === "\\" ? 2 : 1;
  return i;
}

function show(t: Token): string {
  switch (t.kind) {
    case "end":
      return "the end of the query";
    case "string":
      return JSON.stringify(t.value);
    default:
      return `"${t.value}"`;
  }
}

function tokenize(text: string, fail: (at: number, what: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (["&&", "||", "==", "!=", "<=", ">="].includes(two)) {
      tokens.push({ kind: "op", value: two, at: i });
      i += 2;
    } else if ("!<>()[].".includes(c)) {
      tokens.push({ kind: "op", value: c, at: i });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i;
      let value = "";
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\" && i + 1 < text.length) {
          const n = text[i + 1] as string;
          value += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else value += text[i++];
      }
      if (i >= text.length) fail(start, "a string is not closed");
      i++;
      tokens.push({ kind: "string", value, at: start });
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (m === null) fail(i, `unexpected "${c}"`);
      tokens.push({ kind: "number", value: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: "ident", value: m[0], at: i });
      i += m[0].length;
    } else if (c === "=") {
      fail(i, "use == to compare");
    } else {
      fail(i, `unexpected "${c}"`);
    }
  }
  tokens.push({ kind: "end", at: text.length });
  return tokens;
}
