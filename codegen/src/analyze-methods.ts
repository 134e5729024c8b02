/**
 * Component interfaces: every member must be a non-generic method without overloads that returns
 * a Promise, and its arguments and result must be serializable. The `@weaver notRetriable` JSDoc
 * tag marks a method the RPC layer must not retry.
 */
import { Node, type InterfaceDeclaration, type Type } from "ts-morph";
import type { Diagnostics } from "./diagnostics.js";
import type { MethodModel, ParamModel } from "./model.js";
import { libTypeName } from "./type-names.js";
import { NotSerializable, type TypeWalker } from "./type-walker.js";

/** The methods of a component interface, checked; problems are reported to `diag`. */
export function analyzeMethods(iface: InterfaceDeclaration, ifaceType: Type, diag: Diagnostics, walker: TypeWalker): MethodModel[] {
  const name = iface.getName();
  const methods: MethodModel[] = [];
  for (const prop of ifaceType.getProperties()) {
    const decl = prop.getDeclarations()[0] ?? iface;
    const member = `${name}.${prop.getName()}`;
    if (!Node.isMethodSignature(decl)) {
      diag.at(
        decl,
        `${member} is not a method; a component interface declares only methods (e.g. ${prop.getName()}(x: string): Promise<string>)`,
      );
      continue;
    }
    const nameNode = decl.getNameNode();
    if (!Node.isIdentifier(nameNode) && !Node.isStringLiteral(nameNode)) {
      diag.at(decl, `${name}.${nameNode.getText()} has a computed name; name component methods with identifiers`);
      continue;
    }
    if (prop.getName() === "then") {
      diag.at(
        decl,
        `${member}: a component method cannot be named then; it would make every stub of ${name} a thenable, so awaiting a promise of the component (the testing kit's get(), the runtime creating components) would call then() instead of yielding the component; rename it`,
      );
      continue;
    }
    if (decl.hasQuestionToken()) {
      diag.at(decl, `${member} is optional; every method of a component interface must be implemented, remove the ?`);
      continue;
    }
    const signatures = prop.getTypeAtLocation(iface).getCallSignatures();
    if (signatures.length !== 1) {
      diag.at(decl, `${member} is overloaded; component methods cannot have overloads, give each variant its own name`);
      continue;
    }
    const signature = signatures[0]!;
    if (signature.getTypeParameters().length > 0) {
      diag.at(decl, `${member} is generic; component methods cannot have type parameters`);
      continue;
    }
    const retriable = readRetriable(decl, member, diag);
    const params: ParamModel[] = [];
    let ok = true;
    const taken = new Set(decl.getParameters().map((p) => p.getName()));
    decl.getParameters().forEach((p, i) => {
      if (p.getName() === "this") {
        ok = false;
        diag.at(p, `${member} declares a this parameter; component methods are called on a stub, remove it`);
        return;
      }
      // Generated stubs pass arguments on by name, so a destructured parameter gets one.
      let paramName = p.getName();
      if (!Node.isIdentifier(p.getNameNode())) {
        paramName = `arg${i}`;
        while (taken.has(paramName)) paramName += "_";
        taken.add(paramName);
      }
      const type = p.getType();
      const root = rootName(walker.show(type), paramName);
      try {
        const { text, check } = walker.print(type, root);
        params.push({
          name: paramName,
          text,
          check: check.code,
          optional: p.hasQuestionToken() || p.hasInitializer(),
          rest: p.isRestParameter(),
        });
      } catch (e) {
        ok = false;
        report(diag, p, `Argument ${i + 1} of ${member} has type ${walker.show(type)}`, root, e);
      }
    });
    const returnType = signature.getReturnType();
    if (libTypeName(returnType) !== "Promise") {
      diag.at(
        decl,
        `${member} is not async: it returns ${walker.show(returnType)}; component methods return a Promise (declare ${prop.getName()}(...): Promise<${walker.show(returnType)}>)`,
      );
      continue;
    }
    const resultType = returnType.getTypeArguments()[0]!;
    const resultRoot = rootName(walker.show(resultType), "result");
    let result = "void";
    let resultCheck = "true";
    try {
      const printed = walker.print(resultType, resultRoot);
      result = printed.text;
      // A method declared to return void may return anything (a function returning a value is
      // assignable to one returning void), and its caller may not use the value: nothing to check.
      resultCheck = result === "void" ? "true" : printed.check.code;
    } catch (e) {
      ok = false;
      report(diag, decl.getReturnTypeNode() ?? decl, `Result of ${member} has type ${walker.show(resultType)}`, resultRoot, e);
    }
    if (ok) methods.push({ name: prop.getName(), retriable, params, result, resultCheck });
  }
  return methods;
}

function readRetriable(decl: Node & { getJsDocs(): import("ts-morph").JSDoc[] }, member: string, diag: Diagnostics): boolean {
  let retriable = true;
  for (const doc of decl.getJsDocs()) {
    for (const tag of doc.getTags()) {
      if (tag.getTagName() !== "weaver") continue;
      // The first word is the tag's value; the rest may say why.
      const value = (tag.getCommentText() ?? "").trim().split(/\s+/)[0] ?? "";
      if (value === "notRetriable") retriable = false;
      else diag.at(tag, `unknown tag @weaver ${value} on ${member}; the known tag is @weaver notRetriable`);
    }
  }
  return retriable;
}

/** The start of an error path: the type's name when it has a simple one, else the parameter's. */
function rootName(typeText: string, fallback: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(typeText) && !KEYWORD_TYPES.has(typeText) ? typeText : fallback;
}

const KEYWORD_TYPES = new Set([
  "string",
  "number",
  "boolean",
  "bigint",
  "symbol",
  "object",
  "any",
  "unknown",
  "never",
  "void",
  "null",
  "undefined",
  "true",
  "false",
]);

function report(diag: Diagnostics, at: Node, head: string, root: string, e: unknown): void {
  if (!(e instanceof NotSerializable)) throw e;
  if (e.path === root) diag.at(at, `${head}, which is not serializable: ${e.reason}`);
  else diag.at(at, `${head}; ${e.message}`);
}
