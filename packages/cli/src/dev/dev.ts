/**
 * `weaver dev [config]`: the edit loop. It generates the app's code, compiles it and runs it (in
 * one process, or with --multi as replicated processes); then, whenever a source file changes, it
 * generates and compiles again in memory (see appGenerator and IncrementalCompiler) and replaces
 * the running app with the new build. While the code has errors, they are printed as
 * `file:line:col: message` and the last good version keeps serving. Ctrl-C stops the app and
 * weaver dev; nothing is left running.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "@weaver/runtime";
import { ExitStatus, newCommand, printError } from "@weaver/runtime/tool";
import { AppRunner } from "./app-runner.js";
import { IncrementalCompiler } from "./compiler.js";
import { watchApp } from "./watch.js";

/** Creates the `weaver dev` command. */
export function devCommand(): Command {
  return newCommand({
    path: ["dev"],
    summary: "Run an app and rebuild and restart it as its sources change",
    usage: "[options] [config]",
    description:
      "Generates, compiles and runs the app that the config file deploys (weaver.toml by default; the app is the " +
      "nearest folder above its binary with a tsconfig.json), in one process or with --multi as replicated processes. Each time a source file changes, it " +
      "generates and compiles the app again and restarts it with the new code; while the code has errors it prints " +
      "them and the last good version keeps serving. Stop it with Ctrl-C.",
    examples: [
      { comment: "Run the app in this folder and restart it on every change.", command: "weaver dev" },
      { comment: "The same, as replicated processes.", command: "weaver dev --multi" },
    ],
  })
    .argument("[config]", "the app's weaver.toml", "weaver.toml")
    .option("--multi", "run the app as replicated processes (weaver multi deploy) rather than in one process")
    .action(async (config: string, options: { multi?: boolean }) => {
      const code = await dev(resolve(config), options.multi === true);
      if (code !== 0) throw new ExitStatus(code);
    });
}

/** Runs the loop until Ctrl-C or SIGTERM; resolves with the exit status. */
async function dev(file: string, multi: boolean): Promise<number> {
  const dir = appFolder(file);
  // ts-morph takes a good part of a second to load: only the commands that generate load it.
  const { appGenerator, formatDiagnostic } = await import("@weaver/codegen");
  const generator = appGenerator(dir);
  const compiler = new IncrementalCompiler(dir);
  const runner = new AppRunner(file, multi);
  const say = (message: string): void => void process.stderr.write(`weaver dev: ${message}\n`);

  /** Generates, compiles and restarts; a failure at any step leaves the running version alone. */
  const rebuild = async (changed: readonly string[]): Promise<void> => {
    try {
      await build(changed);
    } catch (e) {
      // Not the app's mistake but ours (or the file system's): say so, and go on watching.
      printError(`weaver dev could not rebuild: ${(e as Error).stack ?? e}`);
    }
  };
  const build = async (changed: readonly string[]): Promise<void> => {
    const started = performance.now();
    const meanwhile = runner.running ? "the last good version keeps serving" : "the app starts once they are fixed";
    const generated = generator.run(changed);
    if (generated.diagnostics.length > 0) {
      process.stderr.write(generated.diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join(""));
      return say(`the generator found problems; ${meanwhile}`);
    }
    const { errors } = compiler.build();
    if (errors.length > 0) {
      process.stderr.write(errors.map((e) => `${e}\n`).join(""));
      return say(`${errors.length} compile error${errors.length === 1 ? "" : "s"}; ${meanwhile}`);
    }
    try {
      await runner.restart((why) => say(`${why}; it starts again at the next change`));
    } catch (e) {
      return printError((e as Error).message);
    }
    if (changed.length > 0)
      say(`restarted with ${changed.map((f) => relative(process.cwd(), f)).join(", ")} in ${Math.round(performance.now() - started)} ms`);
  };

  // Ctrl-C at any time, even during the first build, stops the app before weaver dev exits.
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  // One rebuild at a time; changes that come meanwhile make one more. The watch starts before the
  // first build, so that a save while the app starts is not missed.
  let pending: string[] | undefined;
  let building = Promise.resolve();
  const queue = (files: string[]): void => {
    if (pending !== undefined) {
      pending.push(...files);
      return;
    }
    pending = files;
    building = building.then(async () => {
      const next = pending ?? [];
      pending = undefined;
      await rebuild(next);
    });
  };
  const outDir = compiler.outDir();
  const watcher = watchApp(dir, { ignore: outDir === undefined ? [] : [outDir], files: [file] }, queue);
  queue([]);
  void building.then(() => say(`watching ${relative(process.cwd(), dir) || "."} for changes; Ctrl-C stops`));
  await stopped;
  watcher.close();
  await building.catch(() => {});
  await runner.stop();
  return 0;
}

/**
 * The folder of the app a config file deploys: the nearest folder above its binary with a
 * tsconfig.json (./dist/main.js is the build of the folder that holds dist), else the config's.
 */
function appFolder(file: string): string {
  const { binary } = loadConfig(file, { others: "any" });
  for (let dir = dirname(binary ?? file); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "tsconfig.json"))) return dir;
  }
  return dirname(file);
}
