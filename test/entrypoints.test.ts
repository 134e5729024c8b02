// An app starts however it is run, since its main file imports its generated code rather than
// run() looking for it: plain node, node --enable-source-maps, tsx on the TypeScript sources, and
// a single-file bundle made by esbuild (run by node from a folder with nothing else in it, and
// deployed by `weaver multi deploy`, which reads the manifest from the bundle itself).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, TestProcess, stopAll } from "./support/process.js";

const tmp: string[] = [];
afterEach(stopAll);
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder outside the repository (no node_modules to fall back on). */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "weaver-entry-"));
  tmp.push(dir);
  return dir;
}

/** Waits for the banner and the listener line, then asks the app to reverse and convert a name. */
async function serves(p: TestProcess): Promise<void> {
  await p.waitFor(/deployment : [0-9a-f-]{36}/);
  const address = (await p.waitFor(/http listener available on (\S+)/))[1] as string;
  const base = `http://${address.replace(/^\[::\]/, "127.0.0.1")}`;
  expect(await (await fetch(`${base}/both?name=abc`)).text()).toBe("after reversing and converting, name is CBA\n");
}

describe("the reverser example starts", () => {
  const env = { XDG_DATA_HOME: scratch() };

  it("with node --enable-source-maps dist/main.js", async () => {
    await serves(new TestProcess(process.execPath, ["--enable-source-maps", "examples/reverser/dist/main.js"], { env }));
  });

  it("with npx tsx src/main.ts, from its TypeScript sources", async () => {
    await serves(new TestProcess("npx", ["tsx", "examples/reverser/src/main.ts"], { env }));
  });

  it("bundled by esbuild into one file, run by node and deployed by weaver multi deploy", async () => {
    const dir = scratch();
    const bundle = join(dir, "reverser.mjs");
    await build({
      entryPoints: [join(ROOT, "examples/reverser/src/main.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: bundle,
      logLevel: "warning",
      // CommonJS dependencies (pino) call require(); an ES module bundle has to provide it.
      banner: { js: 'import { createRequire as __weaverRequire } from "node:module"; const require = __weaverRequire(import.meta.url);' },
    });
    await serves(new TestProcess(process.execPath, [bundle], { env, cwd: dir }));
    await stopAll();

    writeFileSync(join(dir, "weaver.toml"), '[serviceweaver]\nbinary = "./reverser.mjs"\n');
    await serves(
      new TestProcess(process.execPath, [join(ROOT, "packages/cli/bin/weaver.js"), "multi", "deploy", join(dir, "weaver.toml")], { env }),
    );
  });
});
