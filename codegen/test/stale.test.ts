// Stale generated code: after the sources change and before `weaver generate` runs again, the
// generated code must fail to type-check (its WeaverChecks), and pass once it is regenerated.
// Also: generating is deterministic and writes nothing when nothing changed.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate, GENERATED_FILE, MANIFEST_FILE } from "../src/index.js";
import { REPO, scratch, typeCheck, type Scratch } from "./support.js";

let tmp: Scratch;
let other: Scratch;
let dir: string;

beforeAll(() => {
  tmp = scratch("ok/callgraph");
  other = scratch("ok/callgraph");
  dir = tmp.app("ok", "callgraph");
});
afterAll(() => {
  tmp.dispose();
  other.dispose();
});

/** Generates the app, expecting success; returns the files written, relative to src. */
function regenerate(): string[] {
  const result = generate([dir], { cwd: dir });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  return result.written.map((f) => f.slice(join(dir, "src").length + 1)).sort();
}

/** Replaces `from` (which must occur) with `to` in a source file of the app. */
function edit(file: string, from: string, to: string): void {
  const path = join(dir, "src", file);
  const text = readFileSync(path, "utf8");
  expect(text, `${file} contains ${from}`).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

const CHECK_FAILED =
  /^src\/weaver_gen\.ts\(\d+,\d+\): error TS2344: Type '"(.+) after weaver generate wrote this file: run `weaver generate`"' does not satisfy the constraint 'true'\.$/;

/** What the failed checks say changed. */
const changes = (errors: readonly string[]): string[] => errors.flatMap((e) => CHECK_FAILED.exec(e)?.[1] ?? []);

/** Type-checks the app, expecting errors in the generated file only, including a failed check. */
function expectStale(): string[] {
  const errors = typeCheck(dir);
  expect(errors.length, "the stale generated code must fail to type-check").toBeGreaterThan(0);
  for (const e of errors) expect(e).toMatch(/^src\/weaver_gen\.ts\(/);
  expect(
    errors.some((e) => CHECK_FAILED.test(e)),
    errors.join("\n"),
  ).toBe(true);
  return errors;
}

describe("generated code", () => {
  it("type-checks when fresh, and generating again writes nothing", () => {
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);

    const gen = join(dir, "src", GENERATED_FILE);
    const past = new Date("2020-01-01T00:00:00Z");
    utimesSync(gen, past, past);
    const text = readFileSync(gen, "utf8");
    expect(regenerate()).toEqual([]);
    expect(readFileSync(gen, "utf8")).toBe(text);
    expect(statSync(gen).mtime).toEqual(past);
  });

  it("is what `weaver generate` writes, silently, once", () => {
    const gen = join(dir, "src", GENERATED_FILE);
    const before = readFileSync(gen, "utf8");
    const past = new Date("2021-01-01T00:00:00Z");
    utimesSync(gen, past, past);
    for (let i = 0; i < 2; i++) {
      const cli = spawnSync(process.execPath, [join(REPO, "packages", "cli", "bin", "weaver.js"), "generate", dir], { encoding: "utf8" });
      expect({ status: cli.status, stdout: cli.stdout, stderr: cli.stderr }).toEqual({ status: 0, stdout: "", stderr: "" });
    }
    expect(readFileSync(gen, "utf8")).toBe(before);
    expect(statSync(gen).mtime).toEqual(past);
  });

  it("is the same whatever the folder and working directory", () => {
    const otherDir = other.app("ok", "callgraph");
    const result = generate([otherDir], { cwd: REPO });
    expect(result.diagnostics).toEqual([]);
    for (const file of [GENERATED_FILE, MANIFEST_FILE]) {
      expect(readFileSync(join(otherDir, "src", file), "utf8")).toBe(readFileSync(join(dir, "src", file), "utf8"));
    }
  });

  it("fails to type-check when a method signature changed", () => {
    // The old stubs still implement the interface (parameters are bivariant); only the check sees it.
    edit("pricing.ts", "sum(prices: number[]): Promise<number>;", "sum(prices: readonly number[]): Promise<number>;");
    edit("pricing.ts", "async sum(prices: number[])", "async sum(prices: readonly number[])");
    const errors = expectStale();
    expect(errors.every((e) => CHECK_FAILED.test(e))).toBe(true);
    expect(changes(errors)).toEqual(["interface Pricing changed (its methods or their types)"]);
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);
  });

  it("fails to type-check when a method was added", () => {
    edit("catalog.ts", "  list(): Promise<Item[]>;\n", "  list(): Promise<Item[]>;\n  count(): Promise<number>;\n");
    edit(
      "catalog.ts",
      "  async list(): Promise<Item[]> {",
      "  async count(): Promise<number> {\n    return 1;\n  }\n  async list(): Promise<Item[]> {",
    );
    const errors = expectStale();
    // The stubs lack the method too.
    expect(errors.some((e) => e.includes("Catalog_local"))).toBe(true);
    expect(changes(errors)).toEqual(["interface Catalog changed (its methods or their types)"]);
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);
  });

  it("fails to type-check when a type the methods exchange changed", () => {
    edit("catalog.ts", "  price: number;\n}", "  price: number;\n  name?: string;\n}");
    expect(changes(expectStale())).toContain("interface Catalog changed (its methods or their types)");
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);
  });

  it("fails to type-check when a ref was added", () => {
    edit("main.ts", "  frontend = ref<Frontend>();\n", "  frontend = ref<Frontend>();\n  catalog = ref<Catalog>();\n");
    edit(
      "main.ts",
      'import type { Frontend } from "./frontend.js";',
      'import type { Catalog } from "./catalog.js";\nimport type { Frontend } from "./frontend.js";',
    );
    expect(changes(expectStale())).toEqual(["the refs, listeners or config type of App changed"]);
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);
    expect(readFileSync(join(dir, "src", MANIFEST_FILE), "utf8")).toContain('"component": "callgraph/Catalog"');
  });

  it("fails to type-check when a ref now points elsewhere, or a listener or config was added", () => {
    edit("frontend.ts", "  catalog = ref<Catalog>();\n", "  catalog = ref<Cart>();\n");
    edit("frontend.ts", "const items = await this.catalog.get().list();", "const items = [await this.catalog.get().total(name)];");
    expect(changes(expectStale())).toContain("FrontendImpl.catalog no longer refers to Catalog");
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);

    edit("pricing.ts", 'import { Implements } from "@weaver/core";', 'import { Implements, listener } from "@weaver/core";');
    edit("pricing.ts", "implements Pricing {\n", "implements Pricing {\n  lis = listener();\n");
    expect(changes(expectStale())).toEqual(["the refs, listeners or config type of PricingImpl changed"]);
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);

    edit("pricing.ts", "extends Implements<Pricing>()", "extends Implements<Pricing, { rate: number }>()");
    expectStale();
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);
  });

  it("fails to type-check when a router was added or removed", () => {
    const router = "class CartRouter {\n  total(user: string): string {\n    return user;\n  }\n}\n\nexport class CartImpl";
    edit("cart.ts", "export class CartImpl", router);
    edit("cart.ts", "implements Cart {\n", "implements Cart {\n  static readonly router = CartRouter;\n");
    const message = "the router of CartImpl (its static router, or the router's methods) changed";
    expect(changes(expectStale())).toEqual([message]);
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);
    expect(readFileSync(join(dir, "src", MANIFEST_FILE), "utf8")).toContain('"routed": true');

    edit("cart.ts", "  static readonly router = CartRouter;\n", "");
    expect(changes(expectStale())).toEqual([message]);
    expect(regenerate()).toEqual([GENERATED_FILE, MANIFEST_FILE]);
    expect(typeCheck(dir)).toEqual([]);
    expect(readFileSync(join(dir, "src", MANIFEST_FILE), "utf8")).not.toContain('"routed"');
  });
});
