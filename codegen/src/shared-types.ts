/**
 * The named types of an app's method signatures, declared once in weaver_gen.ts and referred to
 * by name, so that generated code grows with the size of the types and not with the number of
 * ways to reach each part: `type L1 = { a: L0; b: L0 }` nested n times prints n declarations, not
 * 2^n copies of L0.
 *
 * While the TypeWalker prints types, each named one (a type alias, an interface, or an
 * instantiation of either) becomes a node, and the text that uses it holds a token in its place.
 * Once the whole app is walked, `resolveSharedTypes` replaces every token: with the local name of
 * a declaration (`type Point = { x: number; y: number }`), or, for an instantiation of a lib
 * utility type (`Partial<Point>`, `Record<string, Point>`) used once, with its text inline.
 */
import { resolveSharedChecks, type Check } from "./checks.js";
import type { AppModel } from "./model.js";

/** A named type of the app: a declaration of weaver_gen.ts, or text inlined where it is used. */
export interface SharedType {
  /** The name the app gives it (a generic's name for each of its instantiations). */
  readonly name: string;
  /** Whether the name is one of TypeScript's lib (Partial, Readonly, Record...). */
  readonly lib: boolean;
  /** Its TypeScript text, with tokens for the shared types it refers to. */
  readonly text: string;
  /** The code of its check (see checks.ts), with tokens for the checks of the shared types it refers to. */
  readonly check: string;
}

/**
 * A reference to shared type `id` in a type text: NUL, the id, `p` when the text must be
 * parenthesized if inlined as a union or intersection, NUL. (TypeScript and JSON never print NUL
 * unescaped, so the tokens cannot be confused with the texts around them.)
 */
const TOKEN = /\0(\d+)(p?)\0/g;

/** What walking a type yields: its text, and the codec structures met on the way, in first-seen order. */
export interface WalkedType {
  readonly text: string;
  readonly check: Check;
  readonly structures: readonly (readonly string[])[];
}

/** The shared types of one app, collected by its TypeWalkers. */
export class SharedTypes {
  readonly types: SharedType[] = [];
  /** Every type the app's walkers walked (by compiler type), so that each is walked once however often it is reached. */
  readonly walked = new Map<object, WalkedType>();

  /** Adds a named type; returns the token that stands for it. */
  add(type: SharedType): string {
    this.types.push(type);
    return `\0${this.types.length - 1}\0`;
  }
}

/** Tells whether a type text is exactly one token (a shared type referred to by name). */
export function isToken(text: string): boolean {
  return /^\0\d+p?\0$/.test(text);
}

/** Marks a token as one to parenthesize if it is inlined as a union or intersection. */
export function wrapToken(text: string): string {
  return text.replace(/^\0(\d+)\0$/, "\0$1p\0");
}

/** The texts of an app with their tokens replaced, and the declarations they refer to. */
export interface ResolvedTypes {
  /** Replaces the tokens of a text of this app. */
  readonly resolve: (text: string) => string;
  /** `type Name = text;` for each declared type, a type before those that refer to it. */
  readonly declarations: readonly string[];
}

/**
 * Resolves the texts of an app's model (see resolveSharedTypes); returns the model that generated
 * code prints, and the declarations of its shared types.
 */
export function resolveModel(
  app: AppModel,
  name: (preferred: string, lib: boolean) => string,
): { readonly model: AppModel; readonly declarations: readonly string[]; readonly checkFunctions: readonly string[] } {
  const roots = app.components.flatMap((c) => [
    ...c.methods.flatMap((m) => [...m.params.map((p) => p.text), m.result]),
    ...(c.configText === null ? [] : [c.configText]),
  ]);
  const { resolve, declarations } = resolveSharedTypes(app.types, roots, name);
  const checkRoots = app.components.flatMap((c) => c.methods.flatMap((m) => [...m.params.map((p) => p.check), m.resultCheck]));
  const checks = resolveSharedChecks(app.types, checkRoots, (preferred) => name(`check_${preferred}`, false));
  const components = app.components.map((c) => ({
    ...c,
    methods: c.methods.map((m) => ({
      ...m,
      params: m.params.map((p) => ({ ...p, text: resolve(p.text), check: checks.resolve(p.check) })),
      result: resolve(m.result),
      resultCheck: checks.resolve(m.resultCheck),
    })),
    configText: c.configText === null ? null : resolve(c.configText),
  }));
  return { model: { ...app, components, types: [] }, declarations, checkFunctions: checks.functions };
}

/**
 * Decides which shared types to declare, names them with `name` (which returns an identifier
 * free in the generated file) and resolves the app's texts. `roots` are the texts generated code
 * uses (parameters, results, config types); a type none of them reaches is not declared.
 */
export function resolveSharedTypes(
  types: readonly SharedType[],
  roots: readonly string[],
  name: (preferred: string, lib: boolean) => string,
): ResolvedTypes {
  // A type's tokens are created after those of the types it refers to, so walking from the last
  // type to the first counts each reachable type's uses before its own references are counted.
  const uses = types.map(() => 0);
  const count = (text: string): void => {
    for (const [, id] of text.matchAll(TOKEN)) uses[Number(id)]!++;
  };
  for (const root of roots) count(root);
  for (let i = types.length - 1; i >= 0; i--) if (uses[i]! > 0) count(types[i]!.text);

  // An app's named types are declared; a lib utility type only when it is used more than once.
  const names = types.map((t, i) => (uses[i]! > 0 && (!t.lib || uses[i]! > 1) ? name(t.name, t.lib) : undefined));
  const resolve = (text: string): string =>
    text.replace(TOKEN, (_, id: string, paren: string) => {
      const local = names[Number(id)];
      if (local !== undefined) return local;
      const inline = resolve(types[Number(id)]!.text);
      return paren !== "" && hasTopLevelOperator(inline) ? `(${inline})` : inline;
    });
  const declarations = types.flatMap((t, i) => (names[i] === undefined ? [] : [`type ${names[i]} = ${resolve(t.text)};`]));
  return { resolve, declarations };
}

/** Tells whether a type text has a `|` or `&` outside brackets and literals (a union or intersection). */
export function hasTopLevelOperator(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if ("([{<".includes(ch)) depth++;
    else if (")]}>".includes(ch)) depth--;
    else if ((ch === "|" || ch === "&") && depth === 0) return true;
  }
  return false;
}
