// The helpers generated checks are built from, where they do more than a typeof: template literal
// types matched as TypeScript matches them, in linear time, and the messages a failure becomes.
import { describe, expect, it } from "vitest";
import { checkArray, checkMap, checkObject, checkTemplate, mismatch, mismatchMessage, own, within } from "./value-checks.js";

describe("checkTemplate", () => {
  it.each([
    [["", "px"], ["number"], "10px", true],
    [["", "px"], ["number"], "1.5e3px", true],
    [["", "px"], ["number"], "px", false],
    [["", "px"], ["number"], "tenpx", false],
    [["", "px"], ["number"], "10pt", false],
    [["user-", ""], ["string"], "user-", true],
    [["user-", ""], ["string"], "usr-x", false],
    [["", "a", "b"], ["string", "string"], "xaayb", true],
    [["", "a", "b"], ["string", "string"], "ba", false],
    [["v", ""], ["bigint"], "v-12", true],
    [["v", ""], ["bigint"], "v1.5", false],
    [["", ""], ["Uppercase"], "LOUD 1", true],
    [["", ""], ["Uppercase"], "Loud", false],
    [["", ""], ["Capitalize"], "Loud", true],
    // Adjacent holes: the first takes one character, as in TypeScript.
    [["", "", ""], ["number", "string"], "1abc", true],
    [["", "", ""], ["number", "string"], "x1", false],
  ] as const)("%j %j on %j: %s", (texts, holes, value, matches) => {
    expect(checkTemplate(value, texts, holes)).toBe(matches);
  });

  it("never backtracks: a long hostile string costs one pass", { timeout: 10_000 }, () => {
    // A backtracking matcher of `${string}a${string}a${string}b` takes cubic time on this.
    const hostile = "a".repeat(1_000_000);
    expect(checkTemplate(hostile, ["", "a", "a", "b"], ["string", "string", "string"])).toBe(false);
    expect(checkTemplate(`${hostile}b`, ["", "a", "a", "b"], ["string", "string", "string"])).toBe(true);
  });

  it("is false for anything but a string", () => {
    expect(checkTemplate(5, ["", ""], ["number"])).toBe(false);
  });
});

describe("mismatchMessage", () => {
  it("names the argument, the types and the path into the value", () => {
    const value = { items: [{ price: 1 }, { price: "2" }] };
    const check = (v: { items: { price: unknown }[] }): boolean =>
      (checkObject(v, "Order") &&
        (checkArray(v.items, "Item[]", (i) => typeof i.price === "number" || mismatch("number", i.price) || within("price")) ||
          within("items"))) ||
      within("order");
    expect(check(value)).toBe(false);
    expect(mismatchMessage("arguments", "example/Shop.buy")).toBe(
      "argument order of example/Shop.buy: expected number, got string (at order.items[1].price)",
    );
  });

  it("shows the key of a Map entry whose value failed, and quotes names that are not identifiers", () => {
    const m = new Map([["a b", { "x-y": null }]]);
    const ok = checkMap(
      m,
      "Map<string, T>",
      () => true,
      (v) => v["x-y"] === 0 || mismatch("0", v["x-y"]) || within("x-y"),
    );
    expect(ok).toBe(false);
    expect(mismatchMessage("result", "example/Shop.list")).toBe(
      'result of example/Shop.list: expected 0, got null (at result.get("a b")["x-y"])',
    );
  });

  it("does not read inherited properties as present", () => {
    expect(own({}, "toString")).toBeUndefined();
    expect(own({ toString: "s" }, "toString")).toBe("s");
  });
});
