// The generated checks of arguments and results: the "kinds" and "checks" fixtures are generated
// and loaded, and their checks run on values a hostile or buggy peer could send, as the runtime
// runs them (server stubs check arguments, client stubs check results). A bad value is refused
// with the message the caller sees; a good value passes, extra object properties included.
import { join } from "node:path";
import { getComponent, mismatchMessage } from "@weaver/runtime/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate } from "../src/index.js";
import { scratch, type Scratch } from "./support.js";

let tmp: Scratch;

beforeAll(async () => {
  tmp = scratch("ok/kinds", "ok/checks");
  for (const name of ["kinds", "checks"]) {
    const dir = tmp.app("ok", name);
    expect(generate([dir], { cwd: dir }).diagnostics.map(formatDiagnostic)).toEqual([]);
    await import(join(dir, "src", "weaver_gen.ts"));
  }
});
afterAll(() => tmp.dispose());

/** What the caller of `component.method` is told about `args`; undefined when they pass. */
function argsRefused(component: string, method: string, args: unknown[]): string | undefined {
  const { manifest, registration } = getComponent(component);
  const check = registration.checks[manifest.methods.findIndex((m) => m.name === method)]!;
  return check.args(args) ? undefined : mismatchMessage("arguments", `${component}.${method}`);
}

/** What the caller of `component.method` is told about the result `value`; undefined when it passes. */
function resultRefused(component: string, method: string, value: unknown): string | undefined {
  const { manifest, registration } = getComponent(component);
  const check = registration.checks[manifest.methods.findIndex((m) => m.name === method)]!;
  return check.result(value) ? undefined : mismatchMessage("result", `${component}.${method}`);
}

const point = { x: 1, y: 2 };
const shape = { name: "tri", points: [point], tags: ["a"], meta: { created: new Date(0) } };
class Impostor {
  name = "tri";
}

describe("generated checks refuse arguments of the wrong type, saying where", () => {
  const K = "kinds/Kinds";
  it.each([
    ["str", [{}], "argument s of kinds/Kinds.str: expected string, got object"],
    ["str", ["a", "b"], "arguments of kinds/Kinds.str: expected at most 1, got 2"],
    ["str", [], "argument s of kinds/Kinds.str: expected string, got undefined"],
    ["num", ["1"], "argument n of kinds/Kinds.num: expected number, got string"],
    ["big", [1], "argument b of kinds/Kinds.big: expected bigint, got number"],
    ["bool", [0], "argument b of kinds/Kinds.bool: expected boolean, got number"],
    ["nothing", [undefined, undefined], "argument x of kinds/Kinds.nothing: expected null, got undefined"],
    ["maybe", [5], "argument x of kinds/Kinds.maybe: expected undefined | string, got number"],
    ["union", ["c"], 'argument x of kinds/Kinds.union: expected 1 | 2 | "a" | "b", got "c"'],
    ["color", [5, 1], "argument c of kinds/Kinds.color: expected Color, got 5"],
    ["color", [0, 2], "argument s of kinds/Kinds.color: expected Size, got 2"],
    ["green", [0], "argument c of kinds/Kinds.green: expected Color.Green, got 0"],
    ["date", ["2024-01-01"], "argument d of kinds/Kinds.date: expected Date, got string"],
    ["bytes", [[1, 2]], "argument b of kinds/Kinds.bytes: expected Uint8Array, got array of 2 elements"],
    ["arrays", [[1, "x"], [], []], "argument a of kinds/Kinds.arrays: expected number, got string (at a[1])"],
    [
      "arrays",
      [[], [], [[], [{ x: 1, y: "2" }]]],
      "argument nested of kinds/Kinds.arrays: expected number, got string (at nested[1][0].y)",
    ],
    ["arrays", [[], {}, []], "argument r of kinds/Kinds.arrays: expected string[], got object"],
    ["tuples", [["a", 1, true, 4], [1]], "argument t of kinds/Kinds.tuples: expected Tuple, got array of 4 elements"],
    ["tuples", [["a"], [1]], "argument t of kinds/Kinds.tuples: expected Tuple, got array of 1 element"],
    ["tuples", [["a", 1, "yes"], [1]], "argument t of kinds/Kinds.tuples: expected undefined | boolean, got string (at t[2])"],
    [
      "tuples",
      [
        ["a", 1],
        [1, "x", 2],
      ],
      "argument r of kinds/Kinds.tuples: expected string, got number (at r[2])",
    ],
    ["maps", [new Map([["a", { x: 1 }]]), new Map()], 'argument m of kinds/Kinds.maps: expected number, got undefined (at m.get("a").y)'],
    ["maps", [new Map(), new Map([["k", 1n]])], "argument rm of kinds/Kinds.maps: expected number, got string (at rm[key])"],
    ["maps", [{ a: point }, new Map()], "argument m of kinds/Kinds.maps: expected Map<string, Point>, got object"],
    ["sets", [new Set([1]), new Set()], "argument s of kinds/Kinds.sets: expected string, got number (at s[element])"],
    [
      "shape",
      [{ ...shape, meta: { created: "yesterday" } }],
      "argument s of kinds/Kinds.shape: expected Date, got string (at s.meta.created)",
    ],
    ["shape", [{ name: "tri" }], "argument s of kinds/Kinds.shape: expected Point[], got undefined (at s.points)"],
    ["shape", [new Impostor()], "argument s of kinds/Kinds.shape: expected Shape, got Impostor instance"],
    ["shape", [[shape]], "argument s of kinds/Kinds.shape: expected Shape, got array of 1 element"],
    ["named", [{ name: "n", id: true }], "argument n of kinds/Kinds.named: expected Id, got boolean (at n.id)"],
    ["bag", [{ a: 1, "b-c": "2" }, {}], 'argument b of kinds/Kinds.bag: expected number, got string (at b["b-c"])'],
    ["bag", [new Map([["a", 1]]), {}], "argument b of kinds/Kinds.bag: expected Bag, got Map"],
    ["bag", [{}, { p: { x: 1, y: null } }], "argument r of kinds/Kinds.bag: expected number, got null (at r.p.y)"],
    ["rest", ["first", [1, "2"]], "argument others of kinds/Kinds.rest: expected number, got string (at others[1])"],
    ["rest", ["first", "12"], "argument others of kinds/Kinds.rest: expected number[], got string"],
    ["variant", [{ kind: "circle", r: "1" }], "argument v of kinds/Kinds.variant: expected number, got string (at v.r)"],
    ["variant", [{ kind: "triangle" }], 'argument v of kinds/Kinds.variant: expected "circle" | "square", got "triangle" (at v.kind)'],
    ["variant", [null], "argument v of kinds/Kinds.variant: expected Variant, got null"],
    ["template", ["usr-ada", "42", "10px"], 'argument k of kinds/Kinds.template: expected `user-${string}`, got "usr-ada"'],
    ["template", ["user-ada", 42, "10px"], "argument id of kinds/Kinds.template: expected string, got number"],
    ["template", ["user-ada", "42", "tenpx"], 'argument px of kinds/Kinds.template: expected `${number}px`, got "tenpx"'],
    ["destructured", [{ a: 1, b: 1 }], "argument arg0 of kinds/Kinds.destructured: expected string, got number (at arg0.a)"],
    [
      "mapped",
      [{ x: "1" }, { x: 1 }, { y: 1 }, point],
      "argument a of kinds/Kinds.mapped: expected undefined | number, got string (at a.x)",
    ],
    ["lists", [[], [{ name: "n" }], [], new Map()], "argument n of kinds/Kinds.lists: expected Id, got undefined (at n[0].id)"],
    ["lists", [[], [], [undefined], new Map()], "argument o of kinds/Kinds.lists: expected Point, got undefined (at o[0])"],
    ["generic", [{ items: [point, { x: 1 }] }], "argument p of kinds/Kinds.generic: expected number, got undefined (at p.items[1].y)"],
  ] as const)("%s #%#", (method, args, message) => {
    expect(argsRefused(K, method, [...args])).toBe(message);
  });

  const C = "checks/Edges";
  it.each([
    [
      "shapes",
      [[{ kind: "square", side: 1, corner: { x: 1 } }]],
      "argument s of checks/Edges.shapes: expected number, got undefined (at s[0].corner.y)",
    ],
    ["pair", [["a", 1, 2]], "argument pair of checks/Edges.pair: expected Pair, got array of 3 elements"],
    ["pair", [["a"], { x: 1, y: "2" }], "argument p of checks/Edges.pair: expected number, got string (at p.y)"],
    ["middle", [["a", 1, 2]], "argument m of checks/Edges.middle: expected boolean, got number (at m[2])"],
    ["middle", [["a", "1", true]], "argument m of checks/Edges.middle: expected number, got string (at m[1])"],
    ["middle", [[true]], "argument m of checks/Edges.middle: expected Middle, got array of 1 element"],
    ["templates", ["1-x", "A", "ab", "v1"], 'argument r of checks/Edges.templates: expected `${number}-${number}`, got "1-x"'],
    ["templates", ["1-2", "Aa", "ab", "v1"], 'argument loud of checks/Edges.templates: expected Uppercase<string>, got "Aa"'],
    ["templates", ["1-2", "A", "ba", "v1"], 'argument split of checks/Edges.templates: expected `${string}a${string}b`, got "ba"'],
    ["templates", ["1-2", "A", "ab", "v1.5"], 'argument v of checks/Edges.templates: expected `v${bigint}`, got "v1.5"'],
    ["big", [5], "argument b of checks/Edges.big: expected 5n | -1n, got 5"],
    ["big", [6n], "argument b of checks/Edges.big: expected 5n | -1n, got 6n"],
    ["level", [2], "argument l of checks/Edges.level: expected Level, got 2"],
    ["inherited", [{}], "argument i of checks/Edges.inherited: expected boolean, got undefined (at i.valueOf)"],
    [
      "inherited",
      [{ valueOf: true, toString: 1 }],
      "argument i of checks/Edges.inherited: expected undefined | string, got number (at i.toString)",
    ],
    ["numbered", [{ 0: "a", 1: 2 }], 'argument n of checks/Edges.numbered: expected string, got number (at n["1"])'],
    ["nullable", [undefined, new Map(), new Set()], "argument p of checks/Edges.nullable: expected Point, got undefined"],
    [
      "nullable",
      [null, new Map([["k", [point, {}]]]), new Set()],
      'argument m of checks/Edges.nullable: expected number, got undefined (at m.get("k")[1].x)',
    ],
    ["nullable", [null, new Map(), new Set([1, 3])], "argument s of checks/Edges.nullable: expected Level, got 3 (at s[element])"],
  ] as const)("%s #%#", (method, args, message) => {
    expect(argsRefused(C, method, [...args])).toBe(message);
  });
});

describe("generated checks let values of the declared types through", () => {
  const C = "checks/Edges";
  it.each([
    [
      "shapes",
      [
        [
          { kind: "circle", r: 1 },
          { kind: "square", side: 2, corner: point },
          { kind: "square", side: 2 },
        ],
      ],
    ],
    ["pair", [["a"]]],
    ["pair", [["a", 1], point]],
    ["pair", [["a", undefined], undefined]],
    ["middle", [["a", true]]],
    ["middle", [["a", 1, 2, 3, false]]],
    ["templates", ["1-2", "LOUD", "xaayb", "v-12"]],
    ["templates", ["1.5e3-0x10", "", "ab", "v0"]],
    ["big", [-1n]],
    ["level", [10]],
    ["level", ["odd"]],
    ["brand", ["u1"]],
    ["inherited", [{ valueOf: false }]],
    ["inherited", [{ valueOf: false, toString: "s", constructor: 1 }]],
    ["numbered", [{ 0: "a", 10: "b", name: 1 }]],
    ["nullable", [null, new Map([["k", []]]), new Set([1, 10, "odd"])]],
    // A caller may pass a subtype: properties the type does not declare are allowed.
    ["nullable", [{ x: 1, y: 2, z: 3 }, new Map(), new Set()]],
    ["none", []],
  ] as const)("%s #%#", (method, args) => {
    expect(argsRefused(C, method, [...args])).toBeUndefined();
  });
});

describe("generated checks of results", () => {
  it("refuse a result of the wrong type, saying where", () => {
    expect(resultRefused("kinds/Kinds", "str", 5)).toBe("result of kinds/Kinds.str: expected string, got number");
    expect(resultRefused("kinds/Kinds", "arrays", [[point, { x: 1, y: 2n }]])).toBe(
      "result of kinds/Kinds.arrays: expected number, got bigint (at result[0][1].y)",
    );
    expect(resultRefused("kinds/Kinds", "generic", { items: [1] })).toBe(
      "result of kinds/Kinds.generic: expected string, got number (at result.items[0])",
    );
    expect(resultRefused("checks/Edges", "shapes", { kind: "square" })).toBe(
      "result of checks/Edges.shapes: expected number, got undefined (at result.side)",
    );
    expect(resultRefused("checks/Edges", "nullable", undefined)).toBe("result of checks/Edges.nullable: expected Point, got undefined");
  });

  it("let a result of the declared type through, and anything from a method declared to return void", () => {
    expect(resultRefused("kinds/Kinds", "mapped", { x: 1, y: 2, label: "l" })).toBeUndefined();
    expect(resultRefused("checks/Edges", "nullable", null)).toBeUndefined();
    expect(resultRefused("checks/Edges", "none", 42)).toBeUndefined();
    expect(resultRefused("kinds/Kinds", "none", { any: "thing" })).toBeUndefined();
  });
});
