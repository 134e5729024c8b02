// The weaver command, run for real: version, help, usage errors, generate and plugin dispatch.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEAVER_VERSION } from "@weaver/runtime";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/weaver.js");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node packages/cli/bin/weaver.js ...args` from the repo root, without colour. */
function weaver(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "packages/cli/dist/main.js"))) {
    throw new Error("packages/cli is not built: run `npx tsc -b tsconfig.framework.json` (or npm run build) first");
  }
});

describe("weaver version", () => {
  it("prints weaver <version> <platform>/<arch>", async () => {
    const r = await weaver(["version"]);
    expect(r.stdout).toMatch(/^weaver \d+\.\d+\.\d+\S* [a-z0-9]+\/[a-z0-9]+\n$/);
    expect(r.stdout).toBe(`weaver ${WEAVER_VERSION} ${process.platform}/${process.arch}\n`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
  });
});

describe("weaver help", () => {
  it("prints the top-level usage for help, --help and -h", async () => {
    const help = await weaver(["help"]);
    expect(help.code).toBe(0);
    for (const text of ["USAGE", "weaver generate", "weaver version", "weaver single", "DESCRIPTION", "EXAMPLES"]) {
      expect(help.stdout).toContain(text);
    }
    expect(help.stdout.replace(/\s+/g, " ")).toContain('dispatch to an executable called "weaver-<deployer>" found on PATH');
    expect((await weaver(["--help"])).stdout).toBe(help.stdout);
    expect((await weaver(["-h"])).stdout).toBe(help.stdout);
  });

  it("prints the usage to stderr with status 2 when no command is given", async () => {
    const r = await weaver([]);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain("USAGE");
  });

  it.each([["generate"], ["version"], ["single"], ["single", "deploy"]])("has Usage and Examples for %s", async (...cmd) => {
    const viaHelp = await weaver(["help", ...cmd]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain(`Usage: weaver ${cmd.join(" ")}`);
    expect(viaHelp.stdout).toMatch(/\nExamples:\n {2}# .+\n {2}weaver /);
    expect((await weaver([...cmd, "--help"])).stdout).toBe(viaHelp.stdout);
  });

  it("lists the single sub-commands for `single help`, and on stderr with status 2 for bare `single`", async () => {
    const help = await weaver(["single", "help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/deploy <config> +Deploy a Weaver app in one process/);
    const bare = await weaver(["single"]);
    expect(bare).toMatchObject({ code: 2, stdout: "" });
    expect(bare.stderr).toBe(help.stdout);
  });
});

describe("usage errors", () => {
  it("exit with status 2 and point to the help", async () => {
    const missing = await weaver(["single", "deploy"]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toBe(`weaver: missing required argument 'config'\nSee "weaver single deploy --help".\n`);
    expect((await weaver(["single", "deploy", "a.toml", "b.toml"])).code).toBe(2);
    expect((await weaver(["single", "nope"])).code).toBe(2);
    const flag = await weaver(["--bogus"]);
    expect(flag).toMatchObject({ code: 2, stderr: `weaver: unknown flag --bogus. See "weaver --help".\n` });
  });
});

describe("plugins", () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), "weaver-cli-plugins-"));
    const plugin = join(bin, "weaver-fake");
    writeFileSync(plugin, '#!/bin/sh\necho "fake: $*"\n[ "$1" = "--help" ] && exit 0\nexit 7\n');
    chmodSync(plugin, 0o755);
    writeFileSync(join(bin, "weaver-noexec"), "#!/bin/sh\necho should not run\n"); // not executable
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  const onPath = (): NodeJS.ProcessEnv => ({ PATH: `${bin}${delimiter}${process.env["PATH"] ?? ""}` });

  it("runs weaver-<x> from PATH with the remaining arguments and passes on its exit status", async () => {
    const r = await weaver(["fake", "status", "--all", "x y"], onPath());
    expect(r).toEqual({ code: 7, stdout: "fake: status --all x y\n", stderr: "" });
  });

  it("runs weaver-<x> --help for `weaver help <x>`", async () => {
    expect(await weaver(["help", "fake"], onPath())).toEqual({ code: 0, stdout: "fake: --help\n", stderr: "" });
  });

  it("explains an unknown command, and ignores files that are not executable", async () => {
    for (const name of ["nope", "noexec"]) {
      const r = await weaver([name, "deploy"], { PATH: bin });
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr:
          `"weaver ${name}" is not a weaver command. See "weaver --help". If you're trying to invoke a ` +
          `custom deployer, the "weaver-${name}" binary was not found on PATH.\n`,
      });
    }
    expect((await weaver(["help", "nope"], { PATH: bin })).code).toBe(2);
  });
});

describe("weaver generate", () => {
  // Temporary apps live under test/ so that @weaver/core resolves through the workspace's node_modules.
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  /** Copies examples/hello to a fresh folder under test/, optionally with another main.ts. */
  function tempApp(main?: string): string {
    const dir = mkdtempSync(join(ROOT, "test", ".tmp-cli-"));
    made.push(dir);
    mkdirSync(join(dir, "src"));
    cpSync(join(ROOT, "examples/hello/tsconfig.json"), join(dir, "tsconfig.json"));
    cpSync(join(ROOT, "examples/hello/src/main.ts"), join(dir, "src/main.ts"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "tmpapp", private: true, type: "module" }));
    if (main !== undefined) writeFileSync(join(dir, "src/main.ts"), main);
    return dir;
  }

  it("prints nothing on success and writes the generated files", async () => {
    const dir = tempApp();
    expect(await weaver(["generate", dir])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(existsSync(join(dir, "src/weaver_gen.ts"))).toBe(true);
    expect(existsSync(join(dir, "src/weaver_manifest.json"))).toBe(true);
  });

  it("prints every problem as path:line:col: message and exits 1", async () => {
    const dir = tempApp(
      'import { Implements, run, type Main } from "@weaver/core";\n\n' +
        "class App extends Implements<Main>() {\n  async main(): Promise<void> {}\n}\n\nawait run(App);\n",
    );
    const r = await weaver(["generate", dir]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    const rel = `test/${dir.split(/[/\\]/).pop()}/src/main.ts`;
    expect(r.stderr).toMatch(new RegExp(`^${rel.replace(/\./g, "\\.")}:3:1: component implementation App is not exported`, "m"));
    expect(
      r.stderr
        .trimEnd()
        .split("\n")
        .every((line) => /^\S+:\d+:\d+: /.test(line)),
    ).toBe(true);
    expect(existsSync(join(dir, "src/weaver_gen.ts"))).toBe(false);
  });

  it("with --check, writes nothing and fails while generated code is out of date", async () => {
    const dir = tempApp();
    const check = await weaver(["generate", "--check", dir]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("generated code is out of date; run `weaver generate` and commit:");
    expect(check.stderr).toContain("src/weaver_gen.ts");
    expect(existsSync(join(dir, "src/weaver_gen.ts"))).toBe(false);
    expect((await weaver(["generate", dir])).code).toBe(0);
    expect(await weaver(["generate", "--check", dir])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("reports a folder without tsconfig.json", async () => {
    const r = await weaver(["generate", "packages/cli/bin"]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toContain("packages/cli/bin: no tsconfig.json here");
  });
});
