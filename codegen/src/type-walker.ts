/**
 * Walks the types of component method arguments and results: decides whether each can cross a
 * process boundary, prints it as TypeScript that is self-contained but for the app's shared types
 * (for the compile-time checks of generated code) and collects the property lists of object types
 * (the codec's shared record structures).
 *
 * Serializable: string, number, boolean, bigint, null, undefined, literal, template literal and
 * enum types, Date, Uint8Array, arrays, tuples, Map, Set, their readonly forms, unions and
 * intersections of these, and plain object types (interfaces, type literals and mapped types such
 * as Record or Partial, whose members are properties). Everything else (functions, class
 * instances, Promises, symbols, any, unknown, type parameters, recursive types) is refused with
 * the path to the offending part, e.g. `Opts.cb (type () => void)`.
 *
 * Object types without properties (`{}`, an empty interface, `object`, `Object`) are refused too:
 * they accept almost any value and check none of it. (`{}` as a member of an intersection, as in
 * `string & {}`, adds nothing and is fine.)
 *
 * Types print structurally, except enums: they are nominal, so they print as import types of the
 * app file that declares them (`import("./kinds.js").Color`). A named type (alias or interface)
 * prints once, as a shared type the texts that use it refer to (see shared-types.ts); each type is
 * walked once per app.
 */
import { Node, ts, type Symbol as MorphSymbol, type Type } from "ts-morph";
import { isExportedByName } from "./module-specifier.js";
import { hasTopLevelOperator, isToken, wrapToken, type SharedTypes } from "./shared-types.js";

/** Why a type cannot be serialized, and where inside it. */
export class NotSerializable extends Error {
  constructor(
    /** Path from the root, e.g. `Opts.cb` or `opts.items[number]`. */
    readonly path: string,
    /** The offending type, as TypeScript prints it. */
    readonly typeText: string,
    /** Why it cannot be serialized. */
    readonly reason: string,
  ) {
    super(`${path} (type ${typeText}) is not serializable: ${reason}`);
  }
}

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

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const PRIMITIVE_HOLES = new Set(["string", "number", "bigint", "boolean"]);
const STRING_MAPPING = /^(Uppercase|Lowercase|Capitalize|Uncapitalize)<string>$/;

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

/**
 * Names an app file for generated code: the module specifier weaver_gen.ts imports it by, or
 * undefined when the file is not part of the app (a library, a declaration file).
 */
export type ImportPath = (file: string) => string | undefined;

/** Property lists of object types, in first-seen order, without duplicates. */
class Structures {
  readonly list: string[][] = [];
  readonly #seen = new Set<string>();

  add(names: readonly string[]): void {
    const key = names.join("\u0000");
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push([...names]);
  }
}

/**
 * Walks types relative to one location (the node types are printed and resolved at). The walkers
 * of one app share its SharedTypes, to which the named types they print are added.
 */
export class TypeWalker {
  readonly #structures = new Structures();
  /** Where the structures of the type being walked go. */
  #collecting = this.#structures;

  constructor(
    private readonly location: Node,
    private readonly importPath: ImportPath,
    private readonly shared: SharedTypes,
  ) {}

  /** Property lists of the object types seen, in first-seen order, without duplicates. */
  get structures(): readonly (readonly string[])[] {
    return this.#structures.list;
  }

  /** Prints a type as TypeScript, the way error messages show it. */
  show(type: Type): string {
    return type.getText(this.location, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType);
  }

  /**
   * Returns the self-contained TypeScript text of a serializable type; throws NotSerializable
   * naming the first offending part, with `root` as the start of its path.
   */
  print(type: Type, root: string): string {
    return this.#walk(type, root, []);
  }

  #fail(type: Type, path: string, reason: string): never {
    throw new NotSerializable(path, this.show(type), reason);
  }

  /**
   * Walks a type once per app: a type seen before yields the same text and structures again. A
   * named type's text is a token of the shared type it becomes.
   */
  #walk(type: Type, path: string, stack: Type[], inIntersection = false): string {
    const empty = this.#emptyObject(type, inIntersection);
    if (empty !== undefined) this.#fail(type, path, empty);
    let walked = this.shared.walked.get(type.compilerType);
    if (walked === undefined) {
      const outer = this.#collecting;
      const inner = new Structures();
      this.#collecting = inner;
      let text: string;
      try {
        text = this.#walkType(type, path, stack);
      } finally {
        this.#collecting = outer;
      }
      const name = sharedName(type);
      if (name !== undefined && !isToken(text) && !ATOMIC.test(text)) text = this.shared.add({ ...name, text });
      walked = { text, structures: inner.list };
      this.shared.walked.set(type.compilerType, walked);
    }
    for (const names of walked.structures) this.#collecting.add(names);
    return walked.text;
  }

  /**
   * Why a type is an object type without properties, which accepts almost anything and checks
   * nothing of it; undefined for other types. `{}` in an intersection only adds "not null".
   */
  #emptyObject(type: Type, inIntersection: boolean): string | undefined {
    const nonPrimitive = (type.getFlags() & ts.TypeFlags.NonPrimitive) !== 0;
    if (!nonPrimitive) {
      if (!type.isObject() || type.isArray() || type.isReadonlyArray() || type.isTuple()) return undefined;
      const lib = libTypeName(type);
      if (lib !== undefined && lib !== "Object") return undefined;
      if (lib === undefined) {
        if (inIntersection || type.isClass() || type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
          return undefined;
        }
        if (type.getProperties().length > 0 || type.getStringIndexType() !== undefined || type.getNumberIndexType() !== undefined) {
          return undefined;
        }
      }
    }
    const accepts = nonPrimitive ? "any object" : "any value but null and undefined";
    return (
      `${this.show(type)} accepts ${accepts} and declares no property that could be checked ` +
      "(a class instance would arrive without its methods, a function as undefined); " +
      "declare the properties the value carries in an interface, or use Record<string, T> for named values of one type"
    );
  }

  #walkType(type: Type, path: string, stack: Type[]): string {
    if (stack.includes(type)) this.#fail(type, path, "recursive types are not supported");
    const flags = type.getFlags();
    if (type.isAny()) this.#fail(type, path, "any cannot be checked; use a concrete type");
    if (type.isUnknown()) this.#fail(type, path, "unknown cannot be checked; use a concrete type");
    if (flags & ts.TypeFlags.Never) return "never";
    if (type.isString()) return "string";
    if (type.isNumber()) return "number";
    if (type.isBoolean()) return "boolean";
    if (flags & ts.TypeFlags.BigInt) return "bigint";
    if (type.isNull()) return "null";
    if (type.isUndefined()) return "undefined";
    if (flags & ts.TypeFlags.Void) return "void";
    // Enums are nominal: their members are not assignable from literals, so they are named.
    if (type.isEnum() || type.isEnumLiteral()) return this.#enum(type, path);
    if (type.isStringLiteral() || type.isNumberLiteral()) return JSON.stringify(type.getLiteralValue());
    if (type.isBooleanLiteral()) return type.getText();
    if (flags & ts.TypeFlags.BigIntLiteral) return type.getText();
    if (flags & (ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) return this.#templateString(type, path);
    if (flags & (ts.TypeFlags.ESSymbol | ts.TypeFlags.UniqueESSymbol)) {
      this.#fail(type, path, "symbols cannot cross processes");
    }
    if (type.isTypeParameter()) this.#fail(type, path, "type parameters cannot be checked; use a concrete type");
    if (type.isUnion()) return this.#union(type.getUnionTypes(), path, stack);
    if (type.isIntersection()) {
      return type
        .getIntersectionTypes()
        .map((t) => wrap(this.#walk(t, path, [...stack, type], true)))
        .join(" & ");
    }
    if (!type.isObject()) this.#fail(type, path, "this kind of type is not supported");
    return this.#object(type, path, [...stack, type]);
  }

  /**
   * The type of an optional tuple element, without the "missing" undefined TypeScript adds to it:
   * with exactOptionalPropertyTypes that is not the undefined type, and printing it would make
   * `[string, number?]` into `[string, (number | undefined)?]`, another type. (Without the option
   * both are the same type, and it stays in.)
   */
  #optionalElement(type: Type, path: string, stack: Type[]): string {
    if (!type.isUnion()) return this.#walk(type, path, stack);
    const undefinedType = this.location.getProject().getTypeChecker().compilerObject.getUndefinedType();
    const parts = type.getUnionTypes().filter((t) => !t.isUndefined() || t.compilerType === undefinedType);
    return this.#union(parts, path, stack);
  }

  /**
   * A template literal type (`user-${string}`) or string mapping (Uppercase<string>): strings on
   * the wire. TypeScript's own printing is self-contained as long as the holes are primitives.
   */
  #templateString(type: Type, path: string): string {
    const text = type.getText(undefined, ts.TypeFormatFlags.NoTruncation);
    const holes = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
    const ok =
      STRING_MAPPING.test(text) ||
      (text.startsWith("`") && holes.every((h) => PRIMITIVE_HOLES.has(h ?? "") || STRING_MAPPING.test(h ?? "")));
    if (!ok) this.#fail(type, path, "template literal types may only have string, number, bigint or boolean holes");
    return text;
  }

  /** Refers to an enum, or one of its members, through an import type of the app file declaring it. */
  #enum(type: Type, path: string): string {
    const symbol = type.getSymbol();
    const decl = symbol?.getValueDeclaration() ?? symbol?.getDeclarations()[0];
    const member = decl !== undefined && Node.isEnumMember(decl) ? decl : undefined;
    const enumDecl = member?.getParent() ?? decl;
    if (enumDecl === undefined || !Node.isEnumDeclaration(enumDecl)) this.#fail(type, path, "this kind of enum is not supported");
    const name = enumDecl.getName();
    const file = enumDecl.getSourceFile();
    const spec = file.isDeclarationFile() || file.isInNodeModules() ? undefined : this.importPath(file.getFilePath());
    if (spec === undefined) {
      this.#fail(type, path, `enum ${name} is declared outside the app, so generated code cannot name it; use a union of literal types`);
    }
    if (!Node.isSourceFile(enumDecl.getParent()) || !isExportedByName(enumDecl)) {
      this.#fail(type, path, `enum ${name} is not exported from its module; export it so that generated code can name it`);
    }
    const ref = `import(${JSON.stringify(spec)}).${name}`;
    if (member === undefined) return ref;
    const memberName = member.getName();
    return IDENT.test(memberName) ? `${ref}.${memberName}` : `(typeof ${ref})[${JSON.stringify(memberName)}]`;
  }

  #union(types: readonly Type[], path: string, stack: Type[]): string {
    const parts = [...new Set(types.map((t) => this.#walk(t, path, stack)))];
    // TypeScript keeps boolean as `false | true` inside unions; print it as written.
    const bool = parts.includes("false") && parts.includes("true");
    return (bool ? parts.filter((p) => p !== "true").map((p) => (p === "false" ? "boolean" : p)) : parts).join(" | ");
  }

  #object(type: Type, path: string, stack: Type[]): string {
    const lib = libTypeName(type);
    const args = type.getTypeArguments();
    switch (lib) {
      case "Date":
        return "Date";
      case "Uint8Array":
        return "Uint8Array";
      case "Map":
      case "ReadonlyMap": {
        const [k, v] = args as [Type, Type];
        return `${lib}<${this.#walk(k, `${path}[key]`, stack)}, ${this.#walk(v, `${path}[value]`, stack)}>`;
      }
      case "Set":
      case "ReadonlySet":
        return `${lib}<${this.#walk(args[0] as Type, `${path}[element]`, stack)}>`;
      case "Promise":
        this.#fail(type, path, "a Promise cannot cross processes; await it and pass its value");
    }
    if (type.isArray() || type.isReadonlyArray()) {
      const element = wrap(this.#walk(type.getArrayElementTypeOrThrow(), `${path}[number]`, stack));
      return type.isReadonlyArray() ? `readonly ${element}[]` : `${element}[]`;
    }
    if (type.isTuple()) {
      const target = type.getTargetType() ?? type;
      const elementFlags = (target.compilerType as unknown as { elementFlags?: readonly number[] }).elementFlags ?? [];
      const elements = type.getTupleElements().map((t, i) => {
        const f = elementFlags[i] ?? 1;
        const text = f & 2 ? this.#optionalElement(t, `${path}[${i}]`, stack) : this.#walk(t, `${path}[${i}]`, stack);
        if (f & 4) return `...${wrap(text)}[]`; // rest
        if (f & 2) return `${wrap(text)}?`; // optional
        return text;
      });
      const readonly = (target.compilerType as unknown as { readonly?: boolean }).readonly === true;
      return `${readonly ? "readonly " : ""}[${elements.join(", ")}]`;
    }
    if (lib !== undefined) this.#fail(type, path, `${lib} is not plain data`);
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      this.#fail(type, path, "functions cannot cross processes");
    }
    const symbol = type.getSymbol();
    if (type.isClass() || (symbol !== undefined && symbol.getFlags() & ts.SymbolFlags.Class)) {
      this.#fail(type, path, "class instances carry behaviour; use a plain object type (an interface) instead");
    }
    const members: string[] = [];
    const names: string[] = [];
    for (const prop of type.getProperties()) {
      const name = prop.getName();
      const propPath = `${path}.${name}`;
      const decl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
      const propType = prop.getTypeAtLocation(this.location);
      if (prop.getFlags() & ts.SymbolFlags.Method || (decl !== undefined && Node.isMethodSignature(decl))) {
        this.#fail(propType, propPath, "methods cannot cross processes; use a property holding data");
      }
      const text = this.#walk(propType, propPath, stack);
      const optional = prop.isOptional() ? "?" : "";
      const ro = isReadonlyProperty(prop) ? "readonly " : "";
      members.push(`${ro}${propertyName(name)}${optional}: ${text}`);
      names.push(name);
    }
    const stringIndex = type.getStringIndexType();
    if (stringIndex !== undefined) members.push(`[key: string]: ${this.#walk(stringIndex, `${path}[string]`, stack)}`);
    const numberIndex = type.getNumberIndexType();
    if (numberIndex !== undefined && stringIndex === undefined) {
      members.push(`[key: number]: ${this.#walk(numberIndex, `${path}[number]`, stack)}`);
    }
    if (names.length > 0 && stringIndex === undefined && numberIndex === undefined) this.#collecting.add(names);
    return members.length === 0 ? "{}" : `{ ${members.join("; ")} }`;
  }
}

/** A type text that is a keyword, a literal or an import type: as short as a name. */
const ATOMIC = /^(?:-?[\w$.]+|"(?:[^"\\]|\\.)*"|import\("(?:[^"\\]|\\.)*"\)[\w$.]*)$/;

/**
 * The name of a type that is shared rather than printed wherever it is used: a type alias or an
 * interface, or an instantiation of a generic one, named after its arguments when they have names
 * (`Page<Point>` is Page_Point). Aliases from TypeScript's lib (Partial<T>) are marked, since
 * weaver_gen.ts names them only when they are used more than once.
 */
function sharedName(type: Type): { name: string; lib: boolean } | undefined {
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
function wrap(text: string): string {
  if (isToken(text)) return wrapToken(text);
  return hasTopLevelOperator(text) ? `(${text})` : text;
}
