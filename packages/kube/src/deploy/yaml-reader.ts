/**
 * Reading a YAML file as a config, every problem at once: each value is read from its node, so a
 * problem names the line it is on and the key path to it (`file:line: key: what; the fix`).
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { runtimeError } from "@weaver/runtime";

/** One problem: where, which key, and what is wrong with the fix. */
export interface YamlProblem {
  readonly line: number;
  readonly key: string;
  readonly text: string;
}

/** A parsed YAML file and the problems found in it so far. */
export class YamlFile {
  readonly problems: YamlProblem[] = [];
  readonly document: Document;
  readonly #lines = new LineCounter();

  /** Parses `text`; syntax errors become problems (and the root reads as empty). */
  constructor(
    readonly file: string,
    text: string,
  ) {
    this.document = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true });
    for (const e of this.document.errors) {
      const line = e.linePos?.[0]?.line ?? 1;
      this.problems.push({ line, key: "(syntax)", text: `${e.message.split("\n")[0]}; fix the YAML syntax` });
    }
  }

  /** The line of a node (1-based), or 1 when it has no position. */
  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.#lines.linePos(offset).line;
  }

  /** Adds a problem at `node`'s line. */
  report(node: Node | null | undefined, key: string, text: string): void {
    this.problems.push({ line: this.line(node), key, text });
  }

  /** Throws one error listing every problem (sorted by line) when there is any. */
  failIfProblems(): void {
    if (this.problems.length === 0) return;
    const lines = [...this.problems]
      .sort((a, b) => a.line - b.line)
      .map((p) => `${this.file}:${p.line}: ${p.key === "" ? "" : `${p.key}: `}${p.text}`);
    const message = lines.length === 1 ? lines[0] : `${this.file}: ${lines.length} problems:\n${lines.map((l) => `  ${l}`).join("\n")}`;
    throw runtimeError("WEAVER_ERR_CONFIG_KEY", message as string);
  }
}

/** A map's entries: key → its key node and value node. */
export type Entries = Map<string, { readonly keyNode: Node; readonly value: Node | null }>;

/**
 * The entries of the map at `node` (empty when absent), reporting keys not in `known` (unless it
 * is "any") and a value that is not a map.
 */
export function mapEntries(y: YamlFile, node: Node | null | undefined, path: string, known: readonly string[] | "any"): Entries {
  const out: Entries = new Map();
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return out;
  if (!isMap(node)) {
    y.report(node, path, "must be a map of keys to values");
    return out;
  }
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    if (known !== "any" && !known.includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[_-]/g, ""));
      const hint = near !== undefined ? `did you mean ${near}? ` : "";
      y.report(keyNode, join(path, key), `unknown key; ${hint}the keys here are ${known.join(", ")}`);
      continue;
    }
    out.set(key, { keyNode, value: (pair.value as Node | null) ?? null });
  }
  return out;
}

/** `path.key`, quoting a key that has dots or slashes ("groups.\"reverser.Reverser\""). */
export function join(path: string, key: string): string {
  const k = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? k : `${path}.${k}`;
}

/** The scalar value at `node`, or undefined (reported) when it is a map or list. */
function scalar(y: YamlFile, node: Node, path: string): unknown {
  if (isScalar(node)) return node.value;
  y.report(node, path, isSeq(node) ? "must be a single value, not a list" : "must be a single value, not a map");
  return undefined;
}

/** A string value (numbers are taken as written), or undefined (reported) otherwise. */
export function readString(y: YamlFile, node: Node, path: string): string | undefined {
  const v = scalar(y, node, path);
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number") return String(isScalar(node) && typeof node.source === "string" ? node.source : v);
  if (v !== undefined) y.report(node, path, "must be a non-empty string");
  return undefined;
}

/** A boolean value, or undefined (reported) otherwise. */
export function readBoolean(y: YamlFile, node: Node, path: string): boolean | undefined {
  const v = scalar(y, node, path);
  if (typeof v === "boolean") return v;
  if (v !== undefined) y.report(node, path, "must be true or false");
  return undefined;
}

/** A whole number from `min` to `max`, or undefined (reported) otherwise. */
export function readInteger(y: YamlFile, node: Node, path: string, min: number, max: number, what = "a whole number"): number | undefined {
  const v = scalar(y, node, path);
  if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
  if (v !== undefined) y.report(node, path, `${JSON.stringify(v)} is not ${what}; give a whole number from ${min} to ${max}`);
  return undefined;
}

/** A list of maps passed through as plain data, or undefined (reported) otherwise. */
export function readMapList(y: YamlFile, node: Node, path: string): Record<string, unknown>[] | undefined {
  if (!isSeq(node) || !node.items.every((i) => isMap(i))) {
    y.report(node, path, "must be a list of maps, as in a pod spec");
    return undefined;
  }
  return node.toJSON() as Record<string, unknown>[];
}
