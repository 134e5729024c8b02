/**
 * Routers: `static readonly router = CartRouter` on a component implementation routes calls with
 * the same key to the same replica. A router is a class with a no-argument constructor; each of
 * its public methods has the name and the parameters of a method of the component and returns
 * the call's key, synchronously: a number, string or bigint, or a flat object of those. Every
 * method of one router returns the same key type, so that equal keys reach the same replica
 * whichever method carries them. The component's other methods are not routed.
 *
 * Every mistake is reported where it is, with the fix.
 */
import { Node, Scope, ts, type ClassDeclaration, type InterfaceDeclaration, type Symbol as MorphSymbol, type Type } from "ts-morph";
import type { Diagnostics } from "./diagnostics.js";
import type { MethodModel, RouterModel } from "./model.js";
import { libTypeName, propertyName } from "./type-names.js";

/** What the router analysis needs of a component. */
export interface RouterContext {
  readonly cls: ClassDeclaration;
  /** The component interface's declaration and type; undefined for Main. */
  readonly iface: InterfaceDeclaration | undefined;
  readonly ifaceType: Type;
  /** The component's methods that passed their own checks. */
  readonly methods: readonly MethodModel[];
  readonly diag: Diagnostics;
}

const KEY_KINDS = "a number, string or bigint, or a flat object type whose properties are those";

/** The component's router, checked; undefined when it has none or it has problems (reported to `diag`). */
export function analyzeRouter(ctx: RouterContext): RouterModel | undefined {
  const { cls, diag } = ctx;
  const impl = cls.getName() ?? "class";
  const declared = cls.getStaticProperty("router") ?? cls.getStaticMethod("router");
  if (declared === undefined) {
    const instance = cls.getInstanceProperty("router");
    if (instance !== undefined && Node.isPropertyDeclaration(instance) && isClassValue(instance.getInitializer())) {
      diag.at(
        instance,
        `${impl}.router is not static, so it does not route calls; declare it \`static readonly router = ${instance.getInitializer()!.getText()}\``,
      );
    }
    return undefined;
  }
  const value = Node.isPropertyDeclaration(declared) ? declared.getInitializer()?.getText() : undefined;
  const example = `static readonly router = ${value !== undefined && /^[\w$.]+$/.test(value) ? value : `${ifaceName(ctx)}Router`}`;
  if (!Node.isPropertyDeclaration(declared)) {
    diag.at(declared, `${impl}.router must be a property holding the router class; declare \`${example}\``);
    return undefined;
  }
  if (declared.getScope() !== Scope.Public) {
    diag.at(declared, `${impl}.router is ${declared.getScope()}, but generated code reads it; make it public: \`${example}\``);
    return undefined;
  }
  const init = declared.getInitializer();
  if (init === undefined) {
    diag.at(declared, `${impl}.router has no value; assign the router class: \`${example}\``);
    return undefined;
  }
  if (ctx.iface === undefined) {
    diag.at(declared, `${impl} implements Main, which no component calls, so it cannot have a router; remove it`);
    return undefined;
  }
  const instance = routerInstance(declared.getType(), init, impl, diag);
  if (instance === undefined) return undefined;
  // A class expression has no name of its own: messages call it after where it is.
  const name = instance.getSymbol()?.getName();
  const router = name !== undefined && /^[A-Za-z_$][\w$]*$/.test(name) && name !== "__class" ? name : `${impl}.router`;

  const before = diag.list.length;
  const iface = ifaceName(ctx);
  const routed: RoutedMethod[] = [];
  for (const prop of instance.getProperties()) {
    const method = routedMethod(prop, { ctx, router, iface });
    if (method === undefined) continue;
    const first = routed[0];
    if (first !== undefined && first.key !== method.key) {
      diag.at(
        method.at,
        `${router}.${method.name} returns a key of type ${method.key}, but ${router}.${first.name} (${diag.position(first.at)}) returns ${first.key}; every method of a router returns the same key type, so that equal keys reach the same replica whichever method carries them`,
      );
      continue;
    }
    routed.push(method);
  }
  if (diag.list.length > before) return undefined;
  if (routed.length === 0) {
    diag.at(
      init,
      `router ${router} routes no method of ${iface}; give it a method for each method to route, with the same name and parameters, returning the key (e.g. ${ctx.methods[0]?.name ?? "method"}(...): string { return ... })`,
    );
    return undefined;
  }
  const order = ctx.methods.map((m) => m.name);
  return { name: router, methods: routed.map((r) => r.name).sort((a, b) => order.indexOf(a) - order.indexOf(b)) };
}

function ifaceName(ctx: RouterContext): string {
  return ctx.iface?.getName() ?? "Main";
}

/** A router method that passed its checks: the method it routes, its key type (canonical text) and where that is declared. */
interface RoutedMethod {
  readonly name: string;
  readonly key: string;
  readonly at: Node;
}

/** Where a router's members are checked: the component, and the router's and the interface's names. */
interface MemberContext {
  readonly ctx: RouterContext;
  readonly router: string;
  readonly iface: string;
}

/**
 * Checks a member of the router's instance type; returns the routed method it declares, or
 * undefined for a helper (data, a private method) or a member with problems (reported).
 */
function routedMethod(prop: MorphSymbol, { ctx, router, iface }: MemberContext): RoutedMethod | undefined {
  const { cls, diag } = ctx;
  const method = prop.getName();
  // JS private (#name) members are helpers: nothing outside the class can call them.
  if (method.startsWith("__#") || method.startsWith("#")) return undefined;
  const decl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
  const signatures = prop.getTypeAtLocation(cls).getCallSignatures();
  if (decl === undefined || signatures.length === 0) return undefined; // data, not a method
  const routes = ctx.ifaceType.getProperty(method);
  const scope = Node.isMethodDeclaration(decl) || Node.isPropertyDeclaration(decl) ? decl.getScope() : Scope.Public;
  if (scope !== Scope.Public) {
    // A private helper is fine; a private router method is a mistake.
    if (routes !== undefined)
      diag.at(decl, `${router}.${method} is ${scope}, but generated code calls it to route ${iface}.${method}; make it public`);
    return undefined;
  }
  if (routes === undefined) {
    const names = ctx.methods.map((m) => m.name).join(", ");
    diag.at(
      decl,
      `${router}.${method} is not a method of ${iface}; a router has a method for each method of ${iface} to route, with its name and parameters (${names === "" ? `${iface} has no methods` : names}): rename ${method} or remove it`,
    );
    return undefined;
  }
  // A component method with problems of its own has been reported already.
  if (!ctx.methods.some((m) => m.name === method)) return undefined;
  if (signatures.length !== 1) {
    diag.at(decl, `${router}.${method} is overloaded; a router method has exactly the parameters of ${iface}.${method}`);
    return undefined;
  }
  const signature = signatures[0]!;
  if (signature.getTypeParameters().length > 0) {
    diag.at(
      decl,
      `${router}.${method} is generic; a router method has exactly the parameters of ${iface}.${method}, without type parameters`,
    );
    return undefined;
  }
  const returned = signature.getReturnType();
  const names = { mine: `${router}.${method}`, theirs: `${iface}.${method}` };
  const fix = `declare ${method}(${componentParams(routes)}): ${show(returned, decl)}`;
  if (!sameParameters(signature.getParameters(), routes, { ...names, cls, decl, fix, diag })) return undefined;
  const at = returnTypeNode(decl) ?? decl;
  const key = keyType(returned, at);
  if (typeof key !== "string") {
    diag.at(at, `${router}.${method} returns ${show(returned, at)}, which is not a routing key: ${key.why}`);
    return undefined;
  }
  return { name: method, key, at };
}

/** Whether an initializer names a class (so a field holding it was likely meant as the router). */
function isClassValue(init: Node | undefined): boolean {
  return (
    init !== undefined && (Node.isClassExpression(init) || (Node.isIdentifier(init) && init.getType().getConstructSignatures().length > 0))
  );
}

/** The instance type of the router class `type` (the type of `static router`), or undefined after reporting why it is not one. */
function routerInstance(type: Type, init: Node, impl: string, diag: Diagnostics): Type | undefined {
  const text = init.getText();
  const signatures = type.getConstructSignatures();
  const classDecl = type
    .getSymbol()
    ?.getDeclarations()
    .find((d) => Node.isClassDeclaration(d) || Node.isClassExpression(d));
  if (signatures.length === 0 || classDecl === undefined) {
    diag.at(
      init,
      `${impl}.router is ${text} (type ${show(type, init)}), which is not a class; a router is a class with a method per routed method that returns the call's key, e.g. \`class CartRouter { addItem(user: string, sku: string): string { return user; } }\``,
    );
    return undefined;
  }
  if ((Node.isClassDeclaration(classDecl) || Node.isClassExpression(classDecl)) && classDecl.isAbstract()) {
    diag.at(init, `router ${text} is abstract, but generated code creates it with \`new ${text}()\`; make it a concrete class`);
    return undefined;
  }
  const noArgs = signatures.find((s) => s.getParameters().every((p) => isOptionalParameter(p)));
  if (noArgs === undefined) {
    diag.at(
      init,
      `router ${text} needs constructor arguments, but generated code creates it with \`new ${text}()\`; give its constructor no required parameters`,
    );
    return undefined;
  }
  if (noArgs.getTypeParameters().length > 0) {
    diag.at(init, `router ${text} is generic; a router is a plain class, remove its type parameters`);
    return undefined;
  }
  return noArgs.getReturnType();
}

function isOptionalParameter(p: MorphSymbol): boolean {
  const d = p.getValueDeclaration();
  return d !== undefined && Node.isParameterDeclaration(d) && (d.isOptional() || d.isRestParameter() || d.hasInitializer());
}

/** The parameters of a component method as its interface writes them. */
function componentParams(method: MorphSymbol): string {
  const decl = method.getDeclarations()[0];
  return decl !== undefined && Node.isMethodSignature(decl)
    ? decl
        .getParameters()
        .map((p) => p.getText())
        .join(", ")
    : "...";
}

/**
 * Compares a router method's parameters with its component method's: same count, and each the
 * same type, optionality and rest-ness. Reports the first difference; returns whether there is none.
 */
function sameParameters(
  mine: readonly MorphSymbol[],
  method: MorphSymbol,
  where: { mine: string; theirs: string; cls: Node; decl: Node; fix: string; diag: Diagnostics },
): boolean {
  const { mine: routerMethod, theirs: componentMethod, cls: at, decl, fix, diag } = where;
  const signature = method.getTypeAtLocation(at).getCallSignatures()[0];
  const theirs = signature?.getParameters() ?? [];
  const count = (n: number): string => `${n} parameter${n === 1 ? "" : "s"}`;
  if (mine.length !== theirs.length) {
    diag.at(
      decl,
      `${routerMethod} takes ${count(mine.length)}, but ${componentMethod} takes ${count(theirs.length)}; a router method takes the same parameters as the method it routes: ${fix}`,
    );
    return false;
  }
  for (let i = 0; i < mine.length; i++) {
    const a = paramInfo(mine[i]!, at);
    const b = paramInfo(theirs[i]!, at);
    const where = a.node ?? decl;
    const head = `parameter ${i + 1} (${mine[i]!.getName()}) of ${routerMethod}`;
    let problem: string | undefined;
    if (a.rest !== b.rest)
      problem = `${head} is ${a.rest ? "" : "not "}a rest parameter, but in ${componentMethod} it is ${b.rest ? "" : "not"}`;
    else if (a.optional !== b.optional)
      problem = `${head} is ${a.optional ? "" : "not "}optional, but in ${componentMethod} it is ${b.optional ? "" : "not"}`;
    else if (!sameType(a.type, b.type))
      problem = `${head} has type ${show(a.type, at)}, but in ${componentMethod} it has type ${show(b.type, at)}`;
    if (problem !== undefined) {
      diag.at(where, `${problem.replace(/ $/, "")}; a router method takes the same parameters as the method it routes: ${fix}`);
      return false;
    }
  }
  return true;
}

function paramInfo(p: MorphSymbol, at: Node): { type: Type; optional: boolean; rest: boolean; node: Node | undefined } {
  const d = p.getValueDeclaration();
  const param = d !== undefined && Node.isParameterDeclaration(d) ? d : undefined;
  return {
    type: p.getTypeAtLocation(at),
    optional: param !== undefined && (param.hasQuestionToken() || param.hasInitializer()),
    rest: param?.isRestParameter() === true,
    node: param,
  };
}

/** Whether two types are the same for routing: each assignable to the other, and neither any nor unknown unless both are. */
function sameType(a: Type, b: Type): boolean {
  if (a.isAny() !== b.isAny() || a.isUnknown() !== b.isUnknown()) return false;
  return a.isAssignableTo(b) && b.isAssignableTo(a);
}

function returnTypeNode(decl: Node): Node | undefined {
  if (Node.isMethodDeclaration(decl)) return decl.getReturnTypeNode();
  if (Node.isPropertyDeclaration(decl)) return decl.getTypeNode();
  return undefined;
}

type Scalar = "number" | "string" | "bigint";

/**
 * The key type a router method returns, as a canonical text (`string`, `{ region: string; user:
 * number }`), or why it is not a key.
 */
function keyType(type: Type, at: Node): string | { why: string } {
  if (type.isAny() || type.isUnknown()) {
    return { why: `${type.getText()} says nothing of the key; declare the key's type, e.g. \`: string\`` };
  }
  if (libTypeName(type) === "Promise") return { why: "a router method is synchronous: remove async and return the key itself" };
  const kind = scalar(type);
  if (kind !== undefined) return kind;
  if (type.isUnion() && !type.isBoolean()) {
    const kinds = [...new Set(type.getUnionTypes().map((t) => scalar(t) ?? show(t, at)))];
    return { why: `it mixes ${kinds.join(" and ")}; a key has one kind: convert the others (e.g. with String(...))` };
  }
  const parts = type.isIntersection() ? type.getIntersectionTypes() : [type];
  if (!parts.every((t) => t.isObject()) || type.isArray() || type.isTuple() || libTypeName(type) !== undefined) {
    return { why: `a key is ${KEY_KINDS}; return one of those (e.g. String(...) of the value)` };
  }
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0)
    return { why: "it is a function; return the key itself" };
  if (type.getStringIndexType() !== undefined || type.getNumberIndexType() !== undefined) {
    return { why: "it has an index signature; a key object declares its properties" };
  }
  const fields: string[] = [];
  for (const p of type.getProperties().sort((x, y) => (x.getName() < y.getName() ? -1 : 1))) {
    if (p.isOptional()) return { why: `property ${p.getName()} is optional; a key object's properties are required` };
    const t = p.getTypeAtLocation(at);
    const k = scalar(t);
    if (k === undefined)
      return { why: `property ${p.getName()} has type ${show(t, at)}; a key object's properties are numbers, strings or bigints` };
    fields.push(`${propertyName(p.getName())}: ${k}`);
  }
  if (fields.length === 0) return { why: "it has no properties; a key object declares at least one" };
  return `{ ${fields.join("; ")} }`;
}

/** The kind of a number, string or bigint type (literals, unions of one kind and enums included). */
function scalar(type: Type): Scalar | undefined {
  if (type.isString() || type.isStringLiteral() || type.isTemplateLiteral()) return "string";
  if (type.isNumber() || type.isNumberLiteral()) return "number";
  if (type.isBigInt() || type.isBigIntLiteral()) return "bigint";
  if (type.isUnion() && !type.isBoolean()) {
    const kinds = new Set(type.getUnionTypes().map(scalar));
    if (kinds.size === 1 && !kinds.has(undefined)) return [...kinds][0];
  }
  return undefined;
}

function show(type: Type, at: Node): string {
  return type.getText(at, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType);
}
