// Generated code grows linearly with the types: an app whose method takes 20 levels of
// `type Ln = { a: Ln-1; b: Ln-1 }` (2^20 paths to L0) gets a weaver_gen.ts of a few KB (one
// declaration and one check function per named type) that type-checks, and its stubs and checks
// carry such a value unchanged.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Codec, getComponent, mismatchMessage } from "@weaver/runtime/core";
import type { RemoteCalls } from "@weaver/runtime/codegen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate, GENERATED_FILE } from "../src/index.js";
import { scratch, typeCheck, type Scratch } from "./support.js";

const LEVELS = 20;

let tmp: Scratch;
let dir: string;

/** Writes an app whose component exchanges L0..L<levels>, each level using the one below twice. */
function writeApp(app: string, levels: number): void {
  const types = ["export type L0 = { a: string };"];
  for (let i = 1; i <= levels; i++) types.push(`export type L${i} = { a: L${i - 1}; b: L${i - 1} };`);
  const top = `L${levels}`;
  mkdirSync(join(app, "src"), { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "levels", private: true, type: "module" }));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ extends: "../tsconfig.fixture.json", include: ["src"] }));
  writeFileSync(
    join(app, "src", "deep.ts"),
    [
      'import { Implements } from "@weaver/core";',
      ...types,
      `export interface Deep {\n  echo(x: ${top}, small: L2): Promise<${top}>;\n  leaves(x: ${top}): Promise<number>;\n}`,
      `export class DeepImpl extends Implements<Deep>() implements Deep {`,
      `  async echo(x: ${top}): Promise<${top}> {\n    return x;\n  }`,
      `  async leaves(x: ${top}): Promise<number> {\n    return countLeaves(x);\n  }`,
      "}",
      "type Tree = { a: unknown; b?: unknown };",
      "function countLeaves(x: Tree): number {",
      "  return x.b === undefined ? 1 : countLeaves(x.a as Tree) + countLeaves(x.b as Tree);",
      "}",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(app, "src", "main.ts"),
    [
      'import { Implements, run, type Main } from "@weaver/core";',
      'import "./weaver_gen.js";',
      "export class App extends Implements<Main>() {",
      "  async main(): Promise<void> {}",
      "}",
      "await run(App);",
      "",
    ].join("\n"),
  );
}

beforeAll(() => {
  tmp = scratch();
  dir = join(tmp.root, "levels");
  writeApp(dir, LEVELS);
});
afterAll(() => tmp.dispose());

describe("types that reuse a type on every level", () => {
  it("generate code that grows linearly and type-checks", () => {
    const result = generate([dir], { cwd: dir });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const gen = readFileSync(join(dir, "src", GENERATED_FILE), "utf8");
    // One declaration per level (16 levels once gave a 13 MB file, 18 levels made tsc run out of memory).
    expect(statSync(join(dir, "src", GENERATED_FILE)).size).toBeLessThan(12_000);
    expect(gen).toContain("type L0 = { a: string };\n");
    expect(gen).toContain(`type L${LEVELS} = { a: L${LEVELS - 1}; b: L${LEVELS - 1} };\n`);
    expect(gen).toContain(`echo(x: L${LEVELS}, small: L2): Promise<L${LEVELS}>`);
    for (let i = 0; i <= LEVELS; i++) expect(gen.split(`\ntype L${i} = `)).toHaveLength(2);
    for (let i = 0; i <= LEVELS; i++) expect(gen.split(`\nfunction check_L${i}(`)).toHaveLength(2);
    expect(gen).toContain(
      `function check_L${LEVELS}(v: any): boolean {\n  return (checkObject(v, "L${LEVELS}") && (check_L${LEVELS - 1}(v.a) || within("a")) && (check_L${LEVELS - 1}(v.b) || within("b")));\n}`,
    );
    // The codec's record structures are those of the walk through every path, in first-seen order.
    expect(gen).toContain('structures: [["a"],["a","b"]],');
    expect(typeCheck(dir)).toEqual([]);
  });

  it("carry a value through the generated stubs and the codec unchanged", async () => {
    await import(join(dir, "src", GENERATED_FILE));
    const { registration } = getComponent("levels/Deep");
    const impl = new registration.impl!();
    const server = registration.serverStub(impl);
    const clientCodec = new Codec(registration.structures);
    const serverCodec = new Codec(registration.structures);
    const calls: RemoteCalls = {
      async call(method, args) {
        const decoded = serverCodec.decode(clientCodec.encode(args)) as unknown[];
        if (!registration.checks[method]!.args(decoded)) throw new Error(mismatchMessage("arguments", `levels/Deep #${method}`));
        const result = clientCodec.decode(serverCodec.encode(await server[method]!(decoded)));
        if (!registration.checks[method]!.result(result)) throw new Error(mismatchMessage("result", `levels/Deep #${method}`));
        return result;
      },
    };
    const client = registration.clientStub(calls) as {
      echo(x: object, small: object): Promise<object>;
      leaves(x: object): Promise<number>;
    };
    // A real L20: 2^20 leaves, built with shared objects but sent (and received) as a tree.
    let value: object = { a: "leaf" };
    for (let i = 1; i <= LEVELS; i++) value = { a: value, b: value };
    const small = { a: { a: { a: "x" }, b: { a: "y" } }, b: { a: { a: "z" }, b: { a: "w" } } };
    const back = await client.echo(value, small);
    expect(await client.leaves(back)).toBe(2 ** LEVELS);
    let path: { a?: unknown; b?: unknown } = back;
    for (let i = 0; i < LEVELS; i++) path = (i % 2 === 0 ? path.a : path.b) as typeof path;
    expect(path).toStrictEqual({ a: "leaf" });
    // An L2 where an L20 is declared is refused, saying where it falls short.
    await expect(client.echo(small, small)).rejects.toThrow("argument x of levels/Deep #0: expected L17, got string (at x.a.a.a)");
    // The checks look at every leaf: one wrong leaf of the 2^20 is found, with its path.
    let good: object = { a: "leaf" };
    let bad: object = { a: 7 };
    for (let i = 1; i <= LEVELS; i++)
      [good, bad] = [
        { a: good, b: good },
        { a: good, b: bad },
      ];
    await expect(client.echo(bad, small)).rejects.toThrow(
      `argument x of levels/Deep #0: expected string, got number (at x${".b".repeat(LEVELS)}.a)`,
    );
  });
});
