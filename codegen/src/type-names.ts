/**
 * What the TypeWalker reads off types and how it names them: the few lib types it knows by name,
 * property names and readonly properties as TypeScript prints them, the names under which named
 * types (aliases, interfaces and their instantiations) are shared in generated code, how failure
 * messages name types, and the parts of template literal types.
 */
import { Node, ts, type Symbol as MorphSymbol, type Type } from "ts-morph";
import { oneOf, template, type Check } from "./checks.js";
import { hasTopLevelOperator, isToken, wrapToken } from "./shared-types.js";

/** The global (lib) type a type is, if it is one of the few the walker knows by name. */
export function libTypeName(type: Type): string | undefined {
  // Anonymous types (type literals, and mapped types such as Record<K, V> or Partial<T>, whose
  // symbol is the `__type` of lib's declaration) are structural, not named lib types.
  const symbol = type.getSymbol();
  if (symbol === undefined || symbol.getName().startsWith("__")) return undefined;
  // A global type counts when lib declares it, even if a library augments it as well (as
  // @types/node does with `interface Uint8Array extends RelativeIndexable<number> {}`).
  const fromLib = symbol.getDeclarations().some((d) => /[\\/]lib\.[^\\/]*\.d\.ts$/.test(d.getSourceFile().getFilePath()));
  return fromLib ? symbol.getName() : undefined;
}

export const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Prints a property name, quoting it when it is not an identifier. */
export function propertyName(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

/** Tells whether a property is readonly (declared so, or made so by a mapped type like Readonly<T>). */
export function isReadonlyProperty(prop: MorphSymbol): boolean {
  const decl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
  if (decl !== undefined && (Node.isPropertySignature(decl) || Node.isPropertyDeclaration(decl))) {
    if (decl.isReadonly()) return true;
  }
  const compiler = prop.compilerSymbol as unknown as { links?: { checkFlags?: number }; checkFlags?: number };
  const checkFlags = compiler.links?.checkFlags ?? compiler.checkFlags ?? 0;
  return (checkFlags & 8) !== 0; // ts.CheckFlags.Readonly
}

/** A type text that is a keyword, a literal or an import type: as short as a name. */
export const ATOMIC = /^(?:-?[\w$.]+|"(?:[^"\\]|\\.)*"|import\("(?:[^"\\]|\\.)*"\)[\w$.]*)$/;

/**
 * The name of a type that is shared rather than printed wherever it is used: a type alias or an
 * interface, or an instantiation of a generic one, named after its arguments when they have names
 * (`Page<Point>` is Page_Point). Aliases from TypeScript's lib (Partial<T>) are marked, since
 * weaver_gen.ts names them only when they are used more than once.
 */
export function sharedName(type: Type): { name: string; lib: boolean } | undefined {
  const alias = type.getAliasSymbol();
  if (alias !== undefined) return { name: instanceName(alias.getName(), type.getAliasTypeArguments()), lib: isFromLib(alias) };
  if (!type.isObject()) return undefined;
  const symbol = type.getSymbol();
  if (symbol === undefined || symbol.getName().startsWith("__") || isFromLib(symbol)) return undefined;
  return { name: instanceName(symbol.getName(), type.getTypeArguments()), lib: false };
}

/** `Base_Arg1_Arg2` when every argument has a name (or is a keyword type), else `Base`. */
function instanceName(base: string, args: readonly Type[]): string {
  const names: string[] = [];
  for (const arg of args) {
    const name = sharedName(arg)?.name ?? arg.getText();
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) return base;
    names.push(name);
  }
  return [base, ...names].join("_");
}

function isFromLib(symbol: MorphSymbol): boolean {
  return symbol.getDeclarations().some((d) => /[\\/]lib\.[^\\/]*\.d\.ts$/.test(d.getSourceFile().getFilePath()));
}

/**
 * Parenthesizes a type text that would bind wrongly as an array element or intersection member;
 * a shared type's token is marked, to be parenthesized if it is inlined.
 */
export function wrap(text: string): string {
  if (isToken(text)) return wrapToken(text);
  return hasTopLevelOperator(text) ? `(${text})` : text;
}

/** A literal type: its JavaScript text is its TypeScript text. */
export function literal(text: string): { text: string; check: Check } {
  return { text, check: oneOf([text], text) };
}

/** A type as messages name it, or its kind when that is too long to read. */
export function short(expected: string, kind: string): string {
  return expected.length <= 80 ? expected : kind;
}

/** Parenthesizes a union or intersection, as an array element or optional tuple element. */
export function parenthesize(expected: string): string {
  return hasTopLevelOperator(expected) ? `(${expected})` : expected;
}

/**
 * The check of a template literal type (or of a string mapping such as Uppercase<string>, one
 * hole of its own): its literal parts and the kind of each hole, as TypeScript resolved them.
 */
export function templateCheck(type: ts.Type, text: string): Check {
  const compiler = type as ts.Type & { texts?: readonly string[]; types?: readonly ts.Type[] };
  if (compiler.texts === undefined || compiler.types === undefined) return template(["", ""], [holeKind(type)], text);
  return template(compiler.texts, compiler.types.map(holeKind), text);
}

function holeKind(t: ts.Type): string {
  if (t.flags & ts.TypeFlags.StringMapping) return t.symbol.getName();
  if (t.flags & ts.TypeFlags.Number) return "number";
  if (t.flags & ts.TypeFlags.BigInt) return "bigint";
  if (t.flags & ts.TypeFlags.Boolean) return "boolean";
  return "string";
}

const PRIMITIVE_HOLES = new Set(["string", "number", "bigint", "boolean"]);
const STRING_MAPPING = /^(Uppercase|Lowercase|Capitalize|Uncapitalize)<string>$/;

/** Tells whether a template literal type (or string mapping), as printed, has only primitive holes. */
export function hasPrimitiveHoles(text: string): boolean {
  const holes = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
  return (
    STRING_MAPPING.test(text) || (text.startsWith("`") && holes.every((h) => PRIMITIVE_HOLES.has(h ?? "") || STRING_MAPPING.test(h ?? "")))
  );
}
