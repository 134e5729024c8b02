// Generated code older than the sources, when the app runs from its TypeScript sources (as tests
// do, under vitest, with no type-checking): loading weaver_gen.ts refuses to register the app once
// a component interface changed, even by a @weaver tag that no type check sees; edits that do not
// concern the generated code (the implementation, comments) are fine.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/process.js";

// Inside the checkout, so that the copies find @weaver/core.
const work = mkdtempSync(join(ROOT, "test", ".tmp-stale-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let copies = 0;
/** A copy of the reverser example's sources with `edit` applied to src/reverser.ts; returns its folder. */
function copyWith(edit: (text: string) => string): string {
  const dir = join(work, `app-${++copies}`);
  cpSync(join(ROOT, "examples/reverser/src"), join(dir, "src"), { recursive: true });
  const file = join(dir, "src/reverser.ts");
  writeFileSync(file, edit(readFileSync(file, "utf8")));
  return dir;
}

const load = (dir: string): Promise<unknown> => import(pathToFileURL(join(dir, "src/weaver_gen.ts")).href);

describe("generated code run from the sources", () => {
  it("is refused when a component interface changed after weaver generate, by a tag no type check sees", async () => {
    const dir = copyWith((t) =>
      t.replace("  reverse(s: string): Promise<string>;", "  /** @weaver notRetriable */\n  reverse(s: string): Promise<string>;"),
    );
    const file = relative(process.cwd(), join(dir, "src/reverser.ts"));
    const gen = relative(process.cwd(), join(dir, "src/weaver_gen.ts"));
    await expect(load(dir)).rejects.toMatchObject({
      code: "WEAVER_ERR_STALE_GENERATED",
      message: `${file} changed interface Reverser (a method, its types or its @weaver tags) after weaver generate wrote ${gen}: run \`weaver generate\` (npm run build runs it)`,
    });
  });

  it("is refused when the interface is no longer where weaver generate found it", async () => {
    const dir = copyWith((t) => t.replace("export interface Reverser {", "export interface StringReverser {"));
    await expect(load(dir)).rejects.toThrow(
      /reverser\.ts no longer declares interface Reverser after weaver generate wrote .*: run `weaver generate`/,
    );
  });

  it("is accepted when only the implementation or the comments changed", async () => {
    const dir = copyWith((t) =>
      t
        .replace("/** Reverser reverses strings. */", "/** Reverser turns strings around. */")
        .replace('return [...s].reverse().join("");', "return Array.from(s).reverse().join('');"),
    );
    await expect(load(dir)).resolves.toBeDefined();
  });
});
