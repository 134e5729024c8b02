/**
 * Fingerprints of component interfaces, to tell when generated code is older than the sources.
 * `weaver generate` records, for each component, the fingerprint of its interface's declaration;
 * when the app runs from its TypeScript sources (vitest, tsx), registerApp computes it again from
 * the file and refuses generated code whose fingerprint differs. The type checks in weaver_gen.ts
 * catch changed signatures at compile time, but not a changed `@weaver notRetriable` tag, and
 * tests that run the sources are not type-checked at all.
 *
 * The fingerprint covers what the generated code depends on: the declaration's code (methods,
 * their types, `extends`) and the `@weaver` tags of its doc comments; not whitespace, nor the
 * rest of its comments, so that reformatting or rewording a comment is not a change. Both sides
 * use this one scanner, which reads just enough TypeScript to skip comments, strings, template
 * literals and regular expressions; it needs no compiler.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runtimeError } from "../errors.js";
import { relative } from "node:path";

/** A component interface as weaver generate saw it. */
export interface InterfaceDeclaration {
  /** The file that declares it, relative to the generated module: "./cart.ts". */
  readonly file: string;
  readonly name: string;
  /** Its interfaceFingerprint. */
  readonly fingerprint: string;
}

/**
 * When `module` (the generated module's URL) is TypeScript, run from the sources, refuses
 * generated code whose interfaces changed since: each declaration's file must still declare it,
 * with the same fingerprint. Compiled code is not checked: its sources may have moved on since
 * it was built, which is no fault of the generated code.
 */
export function checkDeclarations(module: string, components: readonly { readonly declared?: InterfaceDeclaration }[]): void {
  if (!module.startsWith("file:") || !/\.[cm]?tsx?$/.test(module)) return;
  const generated = shownPath(fileURLToPath(module));
  for (const { declared } of components) {
    if (declared === undefined) continue;
    const file = fileURLToPath(new URL(declared.file, module));
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      text = "";
    }
    const now = interfaceFingerprint(text, declared.name);
    if (now === declared.fingerprint) continue;
    const what =
      now === undefined
        ? `no longer declares interface ${declared.name}`
        : `changed interface ${declared.name} (a method, its types or its @weaver tags)`;
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `${shownPath(file)} ${what} after weaver generate wrote ${generated}: run \`weaver generate\` (npm run build runs it)`,
    );
  }
}

/** The fingerprint of `interface name` in `text`, or undefined when the file declares none. */
export function interfaceFingerprint(text: string, name: string): string | undefined {
  const spans = scan(text);
  const code = maskedCode(text, spans);
  const at = new RegExp(`(?<![\\w$.])interface\\s+${regexpSource(name)}(?![\\w$])`).exec(code);
  if (at === null) return undefined;
  const open = code.indexOf("{", at.index);
  if (open < 0) return undefined;
  let depth = 0;
  let end = -1;
  for (let i = open; i < code.length && end < 0; i++) {
    if (code[i] === "{") depth++;
    else if (code[i] === "}" && --depth === 0) end = i + 1;
  }
  if (end < 0) return undefined;
  let kept = "";
  let from = at.index;
  for (const span of spans) {
    if (span.end <= at.index || span.start >= end) continue;
    if (span.kind !== "comment") continue;
    kept += text.slice(from, span.start);
    // Of a comment, only its @weaver tags count.
    kept += [...text.slice(span.start, span.end).matchAll(/@weaver\s+[\w-]+/g)].map((m) => m[0].replace(/\s+/, " ")).join(" ");
    from = span.end;
  }
  kept += text.slice(from, end);
  // Whitespace outside strings does not count; inside them it is rare enough to ignore too.
  return createHash("sha256").update(kept.replace(/\s+/g, "")).digest("hex").slice(0, 16);
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly kind: "comment" | "literal";
}

/** The comments and the string, template and regular expression literals of a file. */
function scan(text: string): Span[] {
  const spans: Span[] = [];
  let last = ""; // the last character of code (not space, not comment): decides whether `/` starts a regex
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    const next = text[i + 1];
    let end = i + 1;
    let kind: Span["kind"] | undefined;
    if (c === "/" && next === "/") {
      end = lineEnd(text, i);
      kind = "comment";
    } else if (c === "/" && next === "*") {
      const close = text.indexOf("*/", i + 2);
      end = close < 0 ? text.length : close + 2;
      kind = "comment";
    } else if (c === '"' || c === "'" || c === "`") {
      end = quoteEnd(text, i, c);
      kind = "literal";
    } else if (c === "/" && (last === "" || "(,=:[!&|?{};+-*%<>~^".includes(last) || afterKeyword(text, i))) {
      end = regexEnd(text, i);
      kind = "literal";
    }
    if (kind !== undefined) spans.push({ start: i, end, kind });
    if (kind !== "comment" && !/\s/.test(c)) last = kind === "literal" ? "x" : c;
    i = end;
  }
  return spans;
}

/** The text with every comment and literal blanked out (same length), to search code only. */
function maskedCode(text: string, spans: readonly Span[]): string {
  let out = "";
  let from = 0;
  for (const s of spans) {
    out += text.slice(from, s.start) + " ".repeat(s.end - s.start);
    from = s.end;
  }
  return out + text.slice(from);
}

/** Whether a keyword after which `/` starts a regular expression comes right before `i`. */
function afterKeyword(text: string, i: number): boolean {
  return /(?<![\w$.])(return|typeof|case|do|else|in|of|yield|await|void|delete|throw|new)\s*$/.test(text.slice(Math.max(0, i - 12), i));
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf("\n", i);
  return nl < 0 ? text.length : nl;
}

/** The end of a string or template literal starting at `i` (a template's `${}` parts are skipped whole). */
function quoteEnd(text: string, i: number, quote: string): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === "\\") j++;
    else if (c === quote) return j + 1;
    else if (quote !== "`" && c === "\n") return j;
  }
  return text.length;
}

function regexEnd(text: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === "\\") j++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) return j + 1;
    else if (c === "\n") return j;
  }
  return text.length;
}

/** A path relative to the working directory when it is below it: what a user sees in their editor. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") || rel.startsWith("/") ? path : rel;
}

function regexpSource(name: string): string {
  return name.replace(/[$]/g, "\\$");
}
