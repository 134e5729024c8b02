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
 *
 * Along with its text, each type gets the check that remote calls run on values of it (see
 * checks.ts): every kind above is checked, down to literal values, enum members and the parts of
 * template literal types.
 */
import { Node, ts, type Type } from "ts-morph";
import * as checks from "./checks.js";
import type { Check } from "./checks.js";
import { isExportedByName } from "./module-specifier.js";
import { isToken, type SharedTypes } from "./shared-types.js";
import {
  ATOMIC,
  hasPrimitiveHoles,
  IDENT,
  isReadonlyProperty,
  libTypeName,
  literal,
  parenthesize,
  propertyName,
  sharedName,
  short,
  templateCheck,
  wrap,
} from "./type-names.js";

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

/** A walked type: its TypeScript text and its check. */
export interface Printed {
  readonly text: string;
  readonly check: Check;
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
   * Returns the self-contained TypeScript text of a serializable type and the check of its values;
   * throws NotSerializable naming the first offending part, with `root` as the start of its path.
   */
  print(type: Type, root: string): Printed {
    return this.#walk(type, root, []);
  }

  #fail(type: Type, path: string, reason: string): never {
    throw new NotSerializable(path, this.show(type), reason);
  }

  /**
   * Walks a type once per app: a type seen before yields the same text and structures again. A
   * named type's text is a token of the shared type it becomes.
   */
  #walk(type: Type, path: string, stack: Type[], inIntersection = false): Printed {
    const empty = this.#emptyObject(type, inIntersection);
    if (empty !== undefined) this.#fail(type, path, empty);
    let walked = this.shared.walked.get(type.compilerType);
    if (walked === undefined) {
      const outer = this.#collecting;
      const inner = new Structures();
      this.#collecting = inner;
      const name = sharedName(type);
      // Messages name a type of the app by its name; lib utility types (Partial<Point>) by their kind.
      const label = name === undefined || name.lib ? undefined : this.#label(type, name.name);
      let printed: Printed;
      try {
        printed = this.#walkType(type, path, stack, label);
      } finally {
        this.#collecting = outer;
      }
      if (name !== undefined && !isToken(printed.text) && !ATOMIC.test(printed.text)) {
        const check = label === undefined ? printed.check : { ...printed.check, expected: label };
        const text = this.shared.add({ ...name, text: printed.text, check: check.code });
        printed = { text, check: checks.sharedCheck(this.shared.types.length - 1, check) };
      }
      walked = { ...printed, structures: inner.list };
      this.shared.walked.set(type.compilerType, walked);
    }
    for (const names of walked.structures) this.#collecting.add(names);
    return walked;
  }

  /** How failure messages name a type of the app: as the app writes it (`Page<Point>`), or by its base name when that is long. */
  #label(type: Type, name: string): string {
    const shown = this.show(type);
    return shown.length <= 60 && !shown.includes("import(") ? shown : name;
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

  /** Walks a type the cache has not seen; `label` is how messages name it when it is a named type of the app. */
  #walkType(type: Type, path: string, stack: Type[], label: string | undefined): Printed {
    if (stack.includes(type)) this.#fail(type, path, "recursive types are not supported");
    const flags = type.getFlags();
    if (type.isAny()) this.#fail(type, path, "any cannot be checked; use a concrete type");
    if (type.isUnknown()) this.#fail(type, path, "unknown cannot be checked; use a concrete type");
    if (flags & ts.TypeFlags.Never) return { text: "never", check: checks.NEVER };
    if (type.isString()) return { text: "string", check: checks.typeOf("string") };
    if (type.isNumber()) return { text: "number", check: checks.typeOf("number") };
    if (type.isBoolean()) return { text: "boolean", check: checks.typeOf("boolean") };
    if (flags & ts.TypeFlags.BigInt) return { text: "bigint", check: checks.typeOf("bigint") };
    if (type.isNull()) return { text: "null", check: checks.NULL };
    if (type.isUndefined()) return { text: "undefined", check: checks.UNDEFINED };
    // A void result accepts anything (see emit.ts); elsewhere void holds only undefined.
    if (flags & ts.TypeFlags.Void) return { text: "void", check: checks.UNDEFINED };
    // Enums are nominal: their members are not assignable from literals, so they are named.
    if (type.isEnum() || type.isEnumLiteral()) return this.#enum(type, path);
    if (type.isStringLiteral() || type.isNumberLiteral()) return literal(JSON.stringify(type.getLiteralValue()));
    if (type.isBooleanLiteral() || flags & ts.TypeFlags.BigIntLiteral) return literal(type.getText());
    if (flags & (ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) return this.#templateString(type, path);
    if (flags & (ts.TypeFlags.ESSymbol | ts.TypeFlags.UniqueESSymbol)) {
      this.#fail(type, path, "symbols cannot cross processes");
    }
    if (type.isTypeParameter()) this.#fail(type, path, "type parameters cannot be checked; use a concrete type");
    if (type.isUnion()) return this.#union(type.getUnionTypes(), path, stack, label);
    if (type.isIntersection()) {
      const types = type.getIntersectionTypes();
      const parts = types.map((t) => this.#walk(t, path, [...stack, type], true));
      // With a primitive part (`string & { __brand: "UserId" }`), the object parts are brands the
      // compiler alone knows of: the value is a primitive, so only the primitive parts are checked.
      const branded = types.some((t) => !t.isObject());
      const checked = parts.filter((_, i) => !branded || !types[i]!.isObject());
      return {
        text: parts.map((p) => wrap(p.text)).join(" & "),
        check: checks.intersection(
          checked.map((p) => p.check),
          label,
        ),
      };
    }
    if (!type.isObject()) this.#fail(type, path, "this kind of type is not supported");
    return this.#object(type, path, [...stack, type], label);
  }

  /**
   * The type of an optional tuple element, without the "missing" undefined TypeScript adds to it:
   * with exactOptionalPropertyTypes that is not the undefined type, and printing it would make
   * `[string, number?]` into `[string, (number | undefined)?]`, another type. (Without the option
   * both are the same type, and it stays in.)
   */
  #optionalElement(type: Type, path: string, stack: Type[]): Printed {
    if (!type.isUnion()) return this.#walk(type, path, stack);
    const undefinedType = this.location.getProject().getTypeChecker().compilerObject.getUndefinedType();
    const parts = type.getUnionTypes().filter((t) => !t.isUndefined() || t.compilerType === undefinedType);
    return this.#union(parts, path, stack, undefined);
  }

  /**
   * A template literal type (`user-${string}`) or string mapping (Uppercase<string>): strings on
   * the wire. TypeScript's own printing is self-contained as long as the holes are primitives.
   */
  #templateString(type: Type, path: string): Printed {
    const text = type.getText(undefined, ts.TypeFormatFlags.NoTruncation);
    if (!hasPrimitiveHoles(text)) this.#fail(type, path, "template literal types may only have string, number, bigint or boolean holes");
    const check = templateCheck(type.compilerType, text);
    return { text, check };
  }

  /** Refers to an enum, or one of its members, through an import type of the app file declaring it. */
  #enum(type: Type, path: string): Printed {
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
    // The values the enum (or member) stands for; a member whose value the compiler cannot compute
    // (`A = f()`) makes any number or string acceptable.
    const values = (member === undefined ? enumDecl.getMembers() : [member]).map((m) => m.getValue());
    const check = values.every((v) => v !== undefined)
      ? checks.oneOf(
          values.map((v) => JSON.stringify(v)),
          member === undefined ? name : `${name}.${member.getName()}`,
        )
      : checks.leaf(`typeof ${checks.VALUE} === "number" || typeof ${checks.VALUE} === "string"`, name, true);
    if (member === undefined) return { text: ref, check };
    const memberName = member.getName();
    return { text: IDENT.test(memberName) ? `${ref}.${memberName}` : `(typeof ${ref})[${JSON.stringify(memberName)}]`, check };
  }

  #union(types: readonly Type[], path: string, stack: Type[], label: string | undefined): Printed {
    const walked = types.map((t) => this.#walk(t, path, stack));
    let parts = walked.filter((p, i) => walked.findIndex((q) => q.text === p.text) === i);
    // TypeScript keeps boolean as `false | true` inside unions; print it as written.
    if (parts.some((p) => p.text === "false") && parts.some((p) => p.text === "true")) {
      parts = parts
        .filter((p) => p.text !== "true")
        .map((p) => (p.text === "false" ? { text: "boolean", check: checks.typeOf("boolean") } : p));
    }
    return {
      text: parts.map((p) => p.text).join(" | "),
      check: checks.union(
        parts.map((p) => p.check),
        label,
      ),
    };
  }

  #object(type: Type, path: string, stack: Type[], label: string | undefined): Printed {
    const lib = libTypeName(type);
    const args = type.getTypeArguments();
    switch (lib) {
      case "Date":
      case "Uint8Array":
        return { text: lib, check: checks.instanceOf(lib) };
      case "Map":
      case "ReadonlyMap": {
        const k = this.#walk(args[0] as Type, `${path}[key]`, stack);
        const v = this.#walk(args[1] as Type, `${path}[value]`, stack);
        const expected = label ?? short(`Map<${k.check.expected}, ${v.check.expected}>`, "Map");
        return { text: `${lib}<${k.text}, ${v.text}>`, check: checks.map(k.check, v.check, expected) };
      }
      case "Set":
      case "ReadonlySet": {
        const e = this.#walk(args[0] as Type, `${path}[element]`, stack);
        return { text: `${lib}<${e.text}>`, check: checks.set(e.check, label ?? short(`Set<${e.check.expected}>`, "Set")) };
      }
      case "Promise":
        this.#fail(type, path, "a Promise cannot cross processes; await it and pass its value");
    }
    if (type.isArray() || type.isReadonlyArray()) {
      const e = this.#walk(type.getArrayElementTypeOrThrow(), `${path}[number]`, stack);
      const text = type.isReadonlyArray() ? `readonly ${wrap(e.text)}[]` : `${wrap(e.text)}[]`;
      return { text, check: checks.array(e.check, label ?? short(`${parenthesize(e.check.expected)}[]`, "array")) };
    }
    if (type.isTuple()) {
      const target = type.getTargetType() ?? type;
      const elementFlags = (target.compilerType as unknown as { elementFlags?: readonly number[] }).elementFlags ?? [];
      const elements = type.getTupleElements().map((t, i) => {
        const f = elementFlags[i] ?? 1;
        const e = f & 2 ? this.#optionalElement(t, `${path}[${i}]`, stack) : this.#walk(t, `${path}[${i}]`, stack);
        const kind: checks.TupleElement["kind"] = f & 4 ? "rest" : f & 2 ? "optional" : "required";
        const [text, expected] =
          kind === "rest"
            ? [`...${wrap(e.text)}[]`, `...${parenthesize(e.check.expected)}[]`]
            : kind === "optional"
              ? [`${wrap(e.text)}?`, `${parenthesize(e.check.expected)}?`]
              : [e.text, e.check.expected];
        return { text, expected, check: e.check, kind };
      });
      const readonly = (target.compilerType as unknown as { readonly?: boolean }).readonly === true;
      const expected = label ?? short(`[${elements.map((e) => e.expected).join(", ")}]`, "tuple");
      return { text: `${readonly ? "readonly " : ""}[${elements.map((e) => e.text).join(", ")}]`, check: checks.tuple(elements, expected) };
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
    const props: checks.PropertyCheck[] = [];
    for (const prop of type.getProperties()) {
      const name = prop.getName();
      const propPath = `${path}.${name}`;
      const decl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
      const propType = prop.getTypeAtLocation(this.location);
      if (prop.getFlags() & ts.SymbolFlags.Method || (decl !== undefined && Node.isMethodSignature(decl))) {
        this.#fail(propType, propPath, "methods cannot cross processes; use a property holding data");
      }
      const walked = this.#walk(propType, propPath, stack);
      const optional = prop.isOptional();
      const ro = isReadonlyProperty(prop) ? "readonly " : "";
      members.push(`${ro}${propertyName(name)}${optional ? "?" : ""}: ${walked.text}`);
      names.push(name);
      props.push({ name, optional, check: walked.check });
    }
    let index: { check: Check; numeric: boolean } | undefined;
    const stringIndex = type.getStringIndexType();
    if (stringIndex !== undefined) {
      const walked = this.#walk(stringIndex, `${path}[string]`, stack);
      members.push(`[key: string]: ${walked.text}`);
      index = { check: walked.check, numeric: false };
    }
    const numberIndex = type.getNumberIndexType();
    if (numberIndex !== undefined && stringIndex === undefined) {
      const walked = this.#walk(numberIndex, `${path}[number]`, stack);
      members.push(`[key: number]: ${walked.text}`);
      index = { check: walked.check, numeric: true };
    }
    if (names.length > 0 && stringIndex === undefined && numberIndex === undefined) this.#collecting.add(names);
    return { text: members.length === 0 ? "{}" : `{ ${members.join("; ")} }`, check: checks.object(props, index, label ?? "object") };
  }
}
