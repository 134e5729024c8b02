// create-weaver writes a standalone app that names two Weaver packages, and refuses what it cannot
// do with one clear message. (.ci/outside installs, tests and deploys such an app from the tarballs.)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runToEnd } from "./support/process.js";

const BIN = join(ROOT, "packages/create-weaver/bin/create-weaver.js");
const work = mkdtempSync(join(tmpdir(), "weaver-create-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const create = (...args: string[]) => runToEnd(process.execPath, [BIN, ...args, "--no-install"], { cwd: work });

describe("create-weaver", () => {
  it("writes an app with two components, a listener, a test, and the scripts to build, test and deploy it", async () => {
    const run = await create("shop");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("Next:\n  cd shop\n  npm install\n  npm test\n");
    const dir = join(work, "shop");
    for (const file of [
      ".gitignore",
      "README.md",
      "tsconfig.json",
      "vitest.config.ts",
      "weaver.toml",
      "src/main.ts",
      "src/greeter.ts",
      "src/names.ts",
      "src/greeter.test.ts",
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg).toMatchObject({ name: "shop", type: "module", dependencies: { "@weaver/core": "^0.1.0" } });
    const weaver = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].filter((d) => d.startsWith("@weaver/"));
    expect(weaver).toEqual(["@weaver/core", "@weaver/cli"]);
    expect(Object.keys(pkg.scripts)).toEqual(["build", "dev", "test", "deploy", "deploy:multi"]);
    expect(JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")).compilerOptions).toMatchObject({
      noEmitOnError: true,
      rootDir: "src",
      outDir: "dist",
    });
    expect(readFileSync(join(dir, "vitest.config.ts"), "utf8")).toContain('exclude: ["dist/**", "node_modules/**"]');
    expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(/^# shop\n/);
    expect(readFileSync(join(dir, "src/main.ts"), "utf8")).toContain('import "./weaver_gen.js";');
  });

  it("installs from local tarballs with --packs, the packages' own dependencies overridden to them too", async () => {
    const packs = join(work, "packs");
    mkdirSync(packs);
    for (const p of ["core", "cli", "runtime", "rpc", "codegen", "multi", "dashboard"])
      writeFileSync(join(packs, `weaver-${p}-0.1.0.tgz`), "");
    expect((await create("local", "--packs", packs)).code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(work, "local/package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({ "@weaver/core": `file:${join(packs, "weaver-core-0.1.0.tgz")}` });
    expect(pkg.devDependencies["@weaver/cli"]).toBe(`file:${join(packs, "weaver-cli-0.1.0.tgz")}`);
    expect(Object.keys(pkg.overrides)).toEqual(["@weaver/runtime", "@weaver/rpc", "@weaver/codegen", "@weaver/multi", "@weaver/dashboard"]);
  });

  it.each([
    [["taken"], "create-weaver: taken is not empty: give a new folder, or an empty one\n", 1],
    [["Bad Name"], "create-weaver: the app's name is its folder's, and \"Bad Name\" is not a valid npm package name", 2],
    [
      ["x", "--packs", "/nonexistent/packs"],
      "create-weaver: --packs /nonexistent/packs: no such folder; run `npm run pack` in a Weaver checkout to write it\n",
      1,
    ],
    [[], "create-weaver: give one folder to create the app in", 2],
  ])("refuses %j with one clear message", async (args, message, code) => {
    mkdirSync(join(work, "taken"), { recursive: true });
    writeFileSync(join(work, "taken", "keep.txt"), "");
    const run = await create(...(args as string[]));
    expect(run.code).toBe(code);
    expect(run.stderr.startsWith(message as string)).toBe(true);
  });
});
