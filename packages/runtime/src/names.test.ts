import { describe, expect, it } from "vitest";
import { compareComponents, MAIN_COMPONENT, shortName } from "./names.js";

describe("shortName", () => {
  it.each([
    ["weaver/Main", "weaver.Main"],
    ["reverser/Reverser", "reverser.Reverser"],
    ["@acme/shop/Cart", "shop.Cart"],
    ["@acme/tools/shop/Cart", "shop.Cart"],
    ["httpserver/Converter", "httpserver.Converter"],
    ["Lonely", "Lonely"],
  ])("%s is %s", (full, short) => {
    expect(shortName(full)).toBe(short);
  });

  it("Main's full name is weaver/Main", () => {
    expect(MAIN_COMPONENT).toBe("weaver/Main");
    expect(shortName(MAIN_COMPONENT)).toBe("weaver.Main");
  });
});

describe("compareComponents", () => {
  it("puts Main first, then orders by full name, as `weaver multi status` lists them", () => {
    const names = ["httpserver/Reverser", "@acme/zeta/Z", "weaver/Main", "httpserver/Converter", "aaa/A", "zzz/Z"];
    expect([...names].sort(compareComponents)).toEqual([
      "weaver/Main",
      "@acme/zeta/Z",
      "aaa/A",
      "httpserver/Converter",
      "httpserver/Reverser",
      "zzz/Z",
    ]);
  });

  it("is a consistent comparator", () => {
    expect(compareComponents("a/A", "a/A")).toBe(0);
    expect(compareComponents("weaver/Main", "weaver/Main")).toBe(0);
    expect(Math.sign(compareComponents("a/A", "b/B"))).toBe(-Math.sign(compareComponents("b/B", "a/A")));
    expect(compareComponents("weaver/Main", "a/A")).toBeLessThan(0);
    expect(compareComponents("a/A", "weaver/Main")).toBeGreaterThan(0);
  });
});
