// `weaver single deploy`, run for real: the hello example, config and binary errors reported
// before anything starts, and how the app is run (args, env, exit status, signals).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODEGEN_VERSION } from "@weaver/runtime";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/weaver.js");
const HELLO = join(ROOT, "examples/hello/dist/main.js");
const BANNER = "│ app        :";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `node packages/cli/bin/weaver.js ...args` from the repo root, without colour. */
function start(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
}

/** Collects a started weaver's output until it exits; `onOut` sees stdout each time it grows. */
function finish(child: ChildProcessWithoutNullStreams, onOut?: (stdout: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      onOut?.(stdout);
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const weaver = (args: readonly string[]): Promise<Run> => finish(start(args));

/** Deploys `file` and sends weaver (not the app) one `signal` once the app has printed "ready". */
function signalWhenReady(file: string, signal: NodeJS.Signals): Promise<Run> {
  const child = start(["single", "deploy", file]);
  let sent = false;
  return finish(child, (out) => {
    if (sent || !out.includes("ready\n")) return;
    sent = true;
    child.kill(signal);
  });
}

/** The text that embeds a manifest in a file, as generated code does; readManifest finds it. */
function embeddedManifest(): string {
  const manifest = { app: "fake", codegenVersion: CODEGEN_VERSION, versionHash: "0", components: [], callGraph: [] };
  return `WEAVER_MANIFEST = ${JSON.stringify(JSON.stringify(manifest))}`;
}

/**
 * A stand-in app: prints what it was started with as JSON; with argument "wait" it prints "ready"
 * and waits, exiting 7 on SIGTERM; otherwise it exits with status 3.
 */
const FAKE_APP = `// ${embeddedManifest()}
const seen = { args: process.argv.slice(2), config: process.env.SERVICEWEAVER_CONFIG, greeting: process.env.GREETING };
console.log(JSON.stringify(seen));
if (process.argv[2] === "wait") {
  if (process.argv[3] === "trap") process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(7); });
  setInterval(() => {}, 1000);
  console.log("ready");
} else {
  process.exitCode = 3;
}
`;

let dir: string;
/** Writes a config file into the temp folder and returns its path. */
function config(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  for (const f of ["packages/cli/dist/main.js", "examples/hello/dist/main.js"]) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  dir = mkdtempSync(join(tmpdir(), "weaver-cli-single-"));
  writeFileSync(join(dir, "app.js"), FAKE_APP);
  writeFileSync(join(dir, "app.sh"), `#!/bin/sh\n# ${embeddedManifest()}\necho "native: $*"\nexit 5\n`);
  chmodSync(join(dir, "app.sh"), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("weaver single deploy", () => {
  it("runs examples/hello: the banner, then Hello, World", async () => {
    const r = await weaver(["single", "deploy", "examples/hello/weaver.toml"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^╭─+╮\n│ app {8}: hello +│\n│ deployment : [0-9a-f-]{36} │\n╰─+╯\n/);
    expect(r.stdout).toContain("Hello, World\n");
  });

  it("says which file and key when the binary does not exist", async () => {
    const file = config("missing.toml", '[serviceweaver]\nbinary = "./no-such-app.js"\n');
    const r = await weaver(["single", "deploy", file]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toMatch(
      new RegExp(
        `^weaver: binary \\S*no-such-app\\.js \\(from \\[serviceweaver\\] binary in ${file}\\) does not exist: build the app \\(npm run build\\) or fix the path\n$`,
      ),
    );
  });

  it("says which key is missing when the config names no binary", async () => {
    const file = config("nobinary.toml", '[serviceweaver]\nname = "x"\n');
    const r = await weaver(["single", "deploy", file]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toContain(`weaver: ${file}: [serviceweaver] binary is missing`);
  });

  it("reports an unknown key in [serviceweaver] before starting the app", async () => {
    const file = config("badkey.toml", `[serviceweaver]\nbinary = ${JSON.stringify(HELLO)}\nbinnary = "x"\n`);
    const r = await weaver(["single", "deploy", file]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toMatch(/^weaver: .*badkey\.toml: \[serviceweaver\] .*binnary/);
    expect(r.stderr).not.toContain(BANNER);
  });

  it("checks the config against the app's manifest before starting it", async () => {
    const file = config(
      "badlistener.toml",
      `[serviceweaver]\nbinary = ${JSON.stringify(HELLO)}\n\n[single]\nlisteners.nope = { address = "localhost:0" }\n`,
    );
    const r = await weaver(["single", "deploy", file]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toContain("[single] listeners.nope: no component declares listener nope");
  });

  it("runs a .js binary with node, the config's args and env, and SERVICEWEAVER_CONFIG; passes on its status", async () => {
    const file = config("fake.toml", '[serviceweaver]\nbinary = "./app.js"\nargs = ["a", "b c"]\nenv = ["GREETING=hi=there"]\n');
    const r = await weaver(["single", "deploy", file]);
    expect(r).toMatchObject({ code: 3, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual({ args: ["a", "b c"], config: file, greeting: "hi=there" });
  });

  it("runs any other binary directly", async () => {
    const file = config("native.toml", '[serviceweaver]\nbinary = "./app.sh"\nargs = ["x"]\n');
    expect(await weaver(["single", "deploy", file])).toEqual({ code: 5, stdout: "native: x\n", stderr: "" });
  });

  it("passes SIGTERM on to the app and exits with the app's status", async () => {
    const file = config("trap.toml", '[serviceweaver]\nbinary = "./app.js"\nargs = ["wait", "trap"]\n');
    const r = await signalWhenReady(file, "SIGTERM");
    expect(r.stdout).toContain("got SIGTERM\n");
    expect(r).toMatchObject({ code: 7, stderr: "" });
  });

  it("exits with 128 + the signal number when a passed-on SIGINT ends the app", async () => {
    const file = config("wait.toml", '[serviceweaver]\nbinary = "./app.js"\nargs = ["wait"]\n');
    const r = await signalWhenReady(file, "SIGINT");
    expect(r).toMatchObject({ code: 130, stderr: "" });
  });
});
