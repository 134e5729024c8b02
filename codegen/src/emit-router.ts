/**
 * The routing parts of weaver_gen.ts. A routed component's router is created once, when the
 * generated module loads (`const Cart_router = new CartImpl.router();`), and its registration
 * carries one key function per method: a call to the router's method of the same name with the
 * call's arguments, or undefined for a method that is not routed. Client stubs hash the key of
 * each remote call (local calls are never routed). A compile-time check fails when the router's
 * methods (or whether there is a router) change after generation.
 */
import type { ComponentModel, MethodModel } from "./model.js";
import { propertyName } from "./type-names.js";

/** The type helper the router checks use; its name is reserved in weaver_gen.ts. */
export const ROUTER_HELPER = "RouterMethods";

/** The declaration of ROUTER_HELPER: the names of the public methods of a class's static router, or never. */
export const ROUTER_HELPER_DECLARATION =
  "type RouterMethods<C> = C extends { router: abstract new () => infer R } ? { [K in keyof R]-?: R[K] extends (...args: never) => unknown ? K : never }[keyof R] : never;";

/** The identifier of a component's router instance in weaver_gen.ts, after its stubs' base name `n`. */
export function routerVariable(n: string): string {
  return `${n}_router`;
}

/** The statement creating a routed component's router, after its stubs; nothing for an unrouted one. */
export function routerInstance(c: ComponentModel, n: string, impl: string): string[] {
  if (c.router === undefined) return [];
  return [`// Routes calls of ${c.iface!.name} by key (see ${c.router.name}).`, `const ${routerVariable(n)} = new ${impl}.router();`, ""];
}

/** The `router` entry of a routed component's registration; nothing for an unrouted one. */
export function routerEntry(c: ComponentModel, n: string): string[] {
  const { router } = c;
  if (router === undefined) return [];
  const routed = new Set(router.methods);
  const keys = c.methods.map((m) => (routed.has(m.name) ? keyFunction(m, routerVariable(n)) : "undefined"));
  return [
    "      router: {",
    `        name: ${JSON.stringify(router.name)},`,
    "        keys: [",
    ...keys.map((k) => `          ${k},`),
    "        ],",
    "      },",
  ];
}

/** The key function of a routed method: the router's method called with the call's arguments. */
function keyFunction(m: MethodModel, variable: string): string {
  // An optional parameter's text includes undefined already (`undefined | string`).
  const args = m.params.map((p, i) => (p.rest ? `...(a[${i}] as ${p.text})` : `a[${i}] as ${p.text}`));
  const name = propertyName(m.name);
  const call = name === m.name ? `${variable}.${m.name}` : `${variable}[${name}]`;
  return `(${m.params.length > 0 ? "a" : ""}) => ${call}(${args.join(", ")})`;
}

/** The compile-time check that the router's methods are still the ones generated code routes. */
export function routerCheck(c: ComponentModel, impl: string): { readonly stale: string; readonly check: string } {
  const methods = c.router === undefined ? "never" : c.router.methods.map((m) => JSON.stringify(m)).join(" | ");
  return {
    stale: `the router of ${c.impl.name} (its static router, or the router's methods) changed`,
    check: `Equal<${ROUTER_HELPER}<typeof ${impl}>, ${methods}>`,
  };
}
