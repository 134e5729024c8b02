// Round trip: the "kinds" fixture's component is generated, loaded and called through its
// generated client stub -> msgpackr (a Codec per side, as in two processes) -> generated checks
// of the arguments -> generated server stub -> implementation, and back through the check of the
// result. Every value must pass the checks and come back deep-equal and of the same kind.
import { join } from "node:path";
import { Codec, getComponent, LocalCalls, mismatchMessage, type RegisteredComponent } from "@weaver/runtime/core";
import type { RemoteCalls } from "@weaver/runtime/codegen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate } from "../src/index.js";
import { scratch, type Scratch } from "./support.js";
// Types only: the values come from the generated copy, loaded below.
import type { Color as ColorEnum, Everything, Kinds, Point, Shape, Size as SizeEnum, UserId } from "./fixtures/ok/kinds/src/kinds.js";

let tmp: Scratch;
let component: RegisteredComponent;
let Color: typeof ColorEnum;
/** The client stub, wired to the server stub through the loopback. */
let remote: Kinds;
/** The names of the methods the server stub ran, by manifest index. */
const served: string[] = [];
/** Bytes sent each way, to show the calls were encoded. */
let bytes = 0;

beforeAll(async () => {
  tmp = scratch("ok/kinds");
  const dir = tmp.app("ok", "kinds");
  const result = generate([dir], { cwd: dir });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  await import(join(dir, "src", "weaver_gen.ts"));
  ({ Color } = (await import(join(dir, "src", "kinds.ts"))) as { Color: typeof ColorEnum });

  component = getComponent("kinds/Kinds");
  const { registration, manifest } = component;
  const impl = new registration.impl!() as Kinds;
  const server = registration.serverStub(impl);
  expect(server).toHaveLength(manifest.methods.length);
  const clientCodec = new Codec(registration.structures);
  const serverCodec = new Codec(registration.structures);
  const calls: RemoteCalls = {
    async call(method, args) {
      const request = clientCodec.encode(args);
      const decoded = serverCodec.decode(request) as unknown[];
      const name = `${manifest.name}.${manifest.methods[method]!.name}`;
      if (!registration.checks[method]!.args(decoded)) throw new Error(mismatchMessage("arguments", name));
      served.push(manifest.methods[method]!.name);
      const result = await server[method]!(decoded);
      const reply = serverCodec.encode(result);
      bytes += request.length + reply.length;
      const back = clientCodec.decode(reply);
      if (!registration.checks[method]!.result(back)) throw new Error(mismatchMessage("result", name));
      return back;
    },
  };
  remote = registration.clientStub(calls) as Kinds;
});
afterAll(() => tmp.dispose());

/** Calls a method through the loopback and checks the server ran the method of that name. */
async function call<K extends keyof Kinds>(name: K, ...args: Parameters<Kinds[K]>): Promise<Awaited<ReturnType<Kinds[K]>>> {
  const before = served.length;
  const fn = remote[name] as (...a: unknown[]) => Promise<Awaited<ReturnType<Kinds[K]>>>;
  const result = await fn.apply(remote, args);
  expect(served.slice(before)).toEqual([name]);
  return result;
}

const point = (x: number, y: number, label?: string): Point => (label === undefined ? { x, y } : { x, y, label });

describe("a call through the generated stubs and msgpackr", () => {
  it("carries primitives", async () => {
    expect(await call("str", "héllo, 👋")).toBe("héllo, 👋");
    expect(await call("str", "")).toBe("");
    expect(await call("num", -1.5)).toBe(-1.5);
    expect(await call("num", Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(await call("num", Number.NaN)).toBeNaN();
    expect(await call("bool", false)).toBe(false);
    expect(await call("nothing", null, undefined)).toBeNull();
    expect(await call("none")).toBeUndefined();
    expect(await call("union", "b")).toBe("b");
    expect(await call("union", 2)).toBe(2);
    expect(bytes).toBeGreaterThan(0);
  });

  it("keeps bigints bigints", async () => {
    for (const b of [0n, -5n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n + 1n, -(10n ** 30n)]) {
      const back = await call("big", b);
      expect(typeof back).toBe("bigint");
      expect(back).toBe(b);
    }
  });

  it("carries optional and rest parameters", async () => {
    expect(await call("maybe")).toBeUndefined();
    expect(await call("maybe", "x")).toBe("x");
    expect(await call("rest", "first")).toBe(0);
    expect(await call("rest", "first", 1, 2, 3)).toBe(3);
    expect(await call("destructured", { a: "a", b: 1 })).toBe("a1");
    expect(await call("kebab-name", "x")).toBe("x-x");
    expect(await call("inherited", 1)).toBe(2);
  });

  it("carries enums", async () => {
    const [c, s] = await call("color", Color.Green, 3 as SizeEnum);
    expect(c).toBe(Color.Green);
    expect(s).toBe(3);
    expect(await call("color", Color.Red, 1 as SizeEnum)).toEqual([Color.Red, 1]);
    expect(await call("green", Color.Green)).toBe("green");
  });

  it("keeps Dates Dates and bytes bytes", async () => {
    const d = new Date(Date.UTC(2024, 1, 29, 12, 30, 15, 123));
    const back = await call("date", d);
    expect(back).toBeInstanceOf(Date);
    expect(back).not.toBe(d);
    expect(back.getTime()).toBe(d.getTime());

    const b = new Uint8Array([0, 1, 127, 128, 255]);
    const bb = await call("bytes", b);
    expect(bb.constructor).toBe(Uint8Array);
    expect(bb).toStrictEqual(b);
    expect((await call("bytes", new Uint8Array(0))).length).toBe(0);
  });

  it("carries arrays, readonly arrays and tuples", async () => {
    const nested = [[point(1, 2)], [], [point(3, 4, "p"), point(5, 6)]];
    const back = await call("arrays", [1, 2], ["a"], nested);
    expect(back).toStrictEqual(nested);
    expect(back).not.toBe(nested);

    const [t, r] = await call("tuples", ["a", 1, true], [1, "x", "y"]);
    expect(t).toStrictEqual(["a", 1, true]);
    expect(r).toStrictEqual([1, "x", "y"]);
    expect((await call("tuples", ["a", 1], [7]))[0]).toStrictEqual(["a", 1]);
  });

  it("keeps Maps Maps and Sets Sets", async () => {
    const m = new Map([
      ["a", point(1, 2)],
      ["b", point(3, 4, "q")],
    ]);
    const back = await call("maps", m, new Map([[1, 2n]]));
    expect(back).toBeInstanceOf(Map);
    expect(back).toStrictEqual(m);
    expect(await call("maps", new Map(), new Map())).toStrictEqual(new Map());

    const s = new Set(["a", "b"]);
    const sb = await call("sets", s, new Set([1]));
    expect(sb).toBeInstanceOf(Set);
    expect(sb).toStrictEqual(s);
  });

  it("carries nested object types, intersections and index signatures", async () => {
    const shape: Shape = {
      name: "tri",
      points: [point(0, 0), point(1, 0, "b"), point(0, 1)],
      tags: ["a", "b"],
      meta: { created: new Date(1_000), by: "me" },
    };
    const back = await call("shape", shape);
    expect(back).toStrictEqual(shape);
    expect(back.meta.created).toBeInstanceOf(Date);
    // An optional property left out stays out.
    expect(await call("shape", { ...shape, meta: { created: new Date(0) } })).toStrictEqual({ ...shape, meta: { created: new Date(0) } });

    expect(await call("named", { name: "n", id: 3 })).toStrictEqual({ name: "n", id: 3 });
    expect(await call("named", { name: "n", id: "three" })).toStrictEqual({ name: "n", id: "three" });
    expect(await call("bag", { a: 1, "b-c": 2 }, { p: point(1, 1) })).toStrictEqual({ a: 1, "b-c": 2 });
    expect(await call("bag", {}, {})).toStrictEqual({});
  });

  it("carries generic, mapped, union and template literal types", async () => {
    expect(await call("generic", { items: [point(1, 2), point(3, 4)] })).toStrictEqual({ items: ["1,2", "3,4"] });
    expect(await call("generic", { items: [], next: "n" })).toStrictEqual({ items: [], next: "n" });
    expect(await call("mapped", { y: 1 }, { x: 2 }, { y: 3 }, point(4, 5))).toStrictEqual({ x: 6, y: 9, label: "sum" });
    expect(await call("variant", { kind: "circle", r: 2 })).toStrictEqual({ kind: "square", side: 4 });
    expect(await call("variant", { kind: "square", side: 3 })).toStrictEqual({ kind: "circle", r: 1.5 });
    expect(await call("template", "user-ada", "42" as UserId, "10px")).toBe("user-ada/42/10px");
    const circle = { kind: "circle", r: 1 } as const;
    const square = { kind: "square", side: 2 } as const;
    expect(await call("lists", [circle], [{ name: "n", id: 1 }], [null, point(1, 2)], new Map([["m", [square]]]))).toStrictEqual([
      [circle, { name: "n", id: 1 }],
      [square, { name: "n", id: 1 }],
    ]);
  });

  it("carries a value of every kind at once", async () => {
    const e: Everything = {
      s: "s",
      n: 1.25,
      b: -(2n ** 70n),
      t: true,
      nul: null,
      u: undefined,
      opt: "opt",
      lit: 3,
      c: Color.Red,
      d: new Date(86_400_000),
      bytes: new Uint8Array([9, 8, 7]),
      arr: [1, 2, 3],
      ro: ["r", "o"],
      tup: ["t", 1, false],
      rt: [1, "a"],
      m: new Map([["k", point(7, 8)]]),
      set: new Set([1n, 2n]),
      shape: { name: "x", points: [], tags: [], meta: { created: new Date(5) } },
      named: { name: "n", id: 1 },
      bag: { one: 1 },
      rec: { yes: true, no: false },
    };
    const back = await call("everything", e);
    expect(back).toStrictEqual(e);
    expect(back).not.toBe(e);
    expect(typeof back.b).toBe("bigint");
    expect(back.d).toBeInstanceOf(Date);
    expect(back.bytes.constructor).toBe(Uint8Array);
    expect(back.m).toBeInstanceOf(Map);
    expect(back.set).toBeInstanceOf(Set);
    expect([...back.set].every((x) => typeof x === "bigint")).toBe(true);
    expect("u" in back).toBe(true);
  });

  it("runs through the local stub as well", async () => {
    const { registration, manifest } = component;
    const impl = new registration.impl!() as Kinds;
    const calls = new LocalCalls(manifest.name, manifest.methods);
    const local = registration.localStub(impl, calls) as Kinds;
    const m = new Map([["a", point(1, 2)]]);
    expect(await local.maps(m, new Map())).toBe(m);
    expect(await local.rest("a", 1, 2)).toBe(2);
    expect(await local["kebab-name"]("y")).toBe("y-y");
    const index = manifest.methods.findIndex((x) => x.name === "rest");
    expect(calls.stats[index]!.calls).toBe(1);
  });
});
