/**
 * The edit loop: from saving a component's file to the first request answered by the new code,
 * with `weaver dev` running (target: under 2 s), against doing by hand what it does (`weaver
 * generate`, `tsc -p .`, then `weaver single deploy`, or `multi deploy` for `weaver dev --multi`).
 * Each side has its own app from create-weaver, on its own port, edited in alternating rounds.
 * BENCH_DEV_LOG=1 shows what weaver dev and the deployments print.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Result } from "./harness.js";
import { freePort } from "./procs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WEAVER = join(ROOT, "packages/cli/bin/weaver.js");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const ROUNDS = 5;

interface App {
  readonly dir: string;
  readonly port: number;
  /** Edits so far: each save makes the greeting say a new word. */
  edits: number;
}

/** Runs a command to its end; rejects with its output when it fails. */
function run(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} failed (${code}):\n${stderr}`))));
  });
}

/** A new app from create-weaver in `work` (inside the checkout, so that it finds the packages), on a free port. */
async function newApp(work: string, name: string): Promise<App> {
  await run([join(ROOT, "packages/create-weaver/bin/create-weaver.js"), name, "--no-install"], work);
  const dir = join(work, name);
  const port = await freePort();
  const toml = join(dir, "weaver.toml");
  writeFileSync(toml, readFileSync(toml, "utf8").replaceAll("localhost:8080", `127.0.0.1:${port}`));
  return { dir, port, edits: 0 };
}

/** Saves greeter.ts as an editor does, with a new word; returns the answer the new code gives. */
function save(app: App): string {
  const file = join(app.dir, "src/greeter.ts");
  const word = `Hello${++app.edits}`;
  writeFileSync(`${file}.swp`, readFileSync(file, "utf8").replace(/`Hello\d*, /, `\`${word}, `));
  renameSync(`${file}.swp`, file);
  return `${word}, Ada!\n`;
}

function answer(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/?name=ada", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.once("end", () => resolve(body));
    });
    req.once("error", () => resolve(""));
  });
}

/** Waits for `expected` from the app; returns the milliseconds since `began`. */
async function answered(port: number, expected: string, began: number, who: ChildProcess): Promise<number> {
  for (;;) {
    if ((await answer(port)) === expected) return performance.now() - began;
    if (who.exitCode !== null || who.signalCode !== null)
      throw new Error(`${who.spawnargs.join(" ")} exited (${who.exitCode ?? who.signalCode})`);
    if (performance.now() - began > 60_000) throw new Error(`no answer ${JSON.stringify(expected)} within 60 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function start(args: readonly string[], cwd: string, data: string): ChildProcess {
  const output = process.env["BENCH_DEV_LOG"] === "1" ? "inherit" : "ignore";
  return spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, XDG_DATA_HOME: data },
    stdio: ["ignore", output, output],
    detached: true,
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(child.pid as number, "SIGINT");
  await exited;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** One row: `weaver dev [--multi]` against generate + tsc + deploy by hand, ROUNDS edits each. */
async function loop(work: string, mode: "single" | "multi", progress: (line: string) => void): Promise<Result> {
  const dev = await newApp(work, `dev-${mode}`);
  const manual = await newApp(work, `manual-${mode}`);
  const watcher = start([WEAVER, "dev", ...(mode === "multi" ? ["--multi"] : []), "weaver.toml"], dev.dir, work);
  try {
    await answered(dev.port, "Hello, Ada!\n", performance.now(), watcher);
    const withDev: number[] = [];
    const byHand: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const expected = save(dev);
      withDev.push(await answered(dev.port, expected, performance.now(), watcher));

      const wanted = save(manual);
      const began = performance.now();
      await run([WEAVER, "generate", "."], manual.dir);
      await run([TSC, "-p", "."], manual.dir);
      const deploy = start([WEAVER, mode, "deploy", "weaver.toml"], manual.dir, work);
      try {
        byHand.push(await answered(manual.port, wanted, began, deploy));
      } finally {
        await stop(deploy);
      }
    }
    progress(
      `save to new answer, ${mode}: weaver dev ${withDev.map((t) => t.toFixed(0)).join(", ")} ms; by hand ${byHand.map((t) => t.toFixed(0)).join(", ")} ms`,
    );
    return {
      name: `weaver dev${mode === "multi" ? " --multi" : ""}: save → first answer from the new code`,
      baseline: `generate + tsc + ${mode} deploy`,
      ns: median(withDev) * 1e6,
      baselineNs: median(byHand) * 1e6,
      ratio: median(withDev) / median(byHand),
    };
  } finally {
    await stop(watcher);
  }
}

/** Runs the edit loop cases, single and multi. */
export async function devCases(progress: (line: string) => void): Promise<Result[]> {
  const work = mkdtempSync(join(ROOT, "bench", ".tmp-dev-"));
  try {
    return [await loop(work, "single", progress), await loop(work, "multi", progress)];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
