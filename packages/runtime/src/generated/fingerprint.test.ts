import { describe, expect, it } from "vitest";
import { interfaceFingerprint } from "./fingerprint.js";

const CART = `import { Implements } from "@weaver/core";

const re = /"\\{/g; // a regular expression with a quote and a brace
const s = "interface Cart { fake(): void }";

/** A cart. */
export interface Cart {
  /** Adds an item. */
  add(item: string, qty: number): Promise<void>;
  /** The items, as \`name: qty\`. */
  items(): Promise<{ name: string; qty: number }[]>;
}

export class CartImpl extends Implements<Cart>() implements Cart {
  async add(item: string, qty: number): Promise<void> {
    if (/[}]/.test(item)) throw new Error("no braces");
  }
  async items() {
    return [];
  }
}
`;

const fp = (text: string, name = "Cart"): string | undefined => interfaceFingerprint(text, name);

describe("interfaceFingerprint", () => {
  it("finds the declaration past comments, strings and regular expressions that look like one", () => {
    expect(fp(CART)).toMatch(/^[0-9a-f]{16}$/);
    expect(fp(CART.replace('const s = "interface Cart { fake(): void }";', ""))).toBe(fp(CART));
  });

  it("does not change with whitespace, comment wording or the code around the interface", () => {
    const same = [
      CART.replace("add(item: string, qty: number)", "add(item: string,   qty: number)"),
      CART.replace("/** Adds an item. */", "/** Puts an item in the cart. */"),
      CART.replace("/** A cart. */", "// The cart."),
      CART.replace("return [];", "return [] as never[];"),
      CART.replace("{ name: string; qty: number }", "{\n    name: string;\n    qty: number\n  }"),
    ];
    for (const text of same) expect(fp(text)).toBe(fp(CART));
  });

  it("changes with a method, a type, or a @weaver tag", () => {
    const changed = [
      CART.replace("add(item: string, qty: number)", "put(item: string, qty: number)"),
      CART.replace("qty: number): Promise<void>", "qty: bigint): Promise<void>"),
      CART.replace("{ name: string; qty: number }", "{ name: string; qty: number; note?: string }"),
      CART.replace("/** Adds an item. */", "/**\n   * Adds an item.\n   * @weaver notRetriable\n   */"),
      CART.replace("export interface Cart {", "export interface Cart extends Base {"),
    ];
    for (const text of changed) expect(fp(text)).not.toBe(fp(CART));
  });

  it("is undefined when the file declares no such interface", () => {
    expect(fp(CART, "Basket")).toBeUndefined();
    expect(fp(CART, "CartImpl")).toBeUndefined();
    expect(fp(CART, "Car")).toBeUndefined();
  });
});
