/**
 * `weaver single deploy <config>`: runs the app in one process. Like `node dist/main.js` with
 * SERVICEWEAVER_CONFIG set, except that the config, the binary and the generated code are checked
 * first, so a bad weaver.toml fails here, before anything starts. The app prints the banner.
 */
import { statSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import type { Command } from "commander";
import { loadConfig, readManifest, runtimeError, validateConfig, type AppConfig } from "@weaver/runtime";
import { newCommand } from "../command.js";
import { ExitStatus } from "../errors.js";
import { runChild } from "../child.js";

/** Creates the `weaver single deploy` command. */
export function deployCommand(): Command {
  return newCommand({
    path: ["single", "deploy"],
    summary: "Deploy a Weaver app in one process",
    usage: "<config>",
    description:
      "Runs the app named by [serviceweaver] binary in the config file, with all its components " +
      "in one process. The config is checked against the app before it starts. Stop the app with " +
      "Ctrl-C; weaver exits with the app's exit status.",
    examples: [
      { comment: "Run the app that weaver.toml names.", command: "weaver single deploy weaver.toml" },
      {
        comment: "Run the hello example (build it first with npm run build).",
        command: "weaver single deploy examples/hello/weaver.toml",
      },
    ],
  })
    .argument("<config>", "the app's weaver.toml")
    .action(async (file: string) => {
      const code = await deploy(file);
      if (code !== 0) throw new ExitStatus(code);
    });
}

/** Checks the config and the app, runs the app in the foreground, and resolves to its exit status. */
export async function deploy(file: string): Promise<number> {
  const config = loadConfig(file);
  const binary = checkBinary(config, file);
  validateConfig(config, readManifest(binary));
  const [command, args] = /\.[cm]?js$/i.test(binary)
    ? [process.execPath, [binary, ...config.args]]
    : [binary, [...config.args]];
  try {
    return await runChild(command, args, { env: appEnv(config) });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw runtimeError(
      "WEAVER_ERR_BINARY",
      `cannot run binary ${shown(binary)} (from [serviceweaver] binary in ${file}): ${why}: ` +
        "make it executable (chmod +x), or for a Node.js app point binary at its .js entry file",
    );
  }
}

/** Returns the app binary's absolute path after checking that the config names an existing file. */
function checkBinary(config: AppConfig, file: string): string {
  const binary = config.binary;
  if (binary === undefined) {
    throw runtimeError(
      "WEAVER_ERR_CONFIG_KEY",
      `${file}: [serviceweaver] binary is missing: set it to the app's compiled entry file, ` +
        `e.g. binary = "./dist/main.js" (relative to the config file's folder)`,
    );
  }
  const where = `(from [serviceweaver] binary in ${file})`;
  let isFile: boolean;
  try {
    isFile = statSync(binary).isFile();
  } catch {
    throw runtimeError(
      "WEAVER_ERR_BINARY",
      `binary ${shown(binary)} ${where} does not exist: build the app (npm run build) or fix the path`,
    );
  }
  if (!isFile) {
    throw runtimeError(
      "WEAVER_ERR_BINARY",
      `binary ${shown(binary)} ${where} is a folder: point it at the app's entry file, e.g. ./dist/main.js`,
    );
  }
  return binary;
}

/** The app's environment: weaver's own, the config's env entries, and SERVICEWEAVER_CONFIG. */
function appEnv(config: AppConfig): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const entry of config.env) {
    const eq = entry.indexOf("="); // parseConfig guarantees KEY=VALUE
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  env["SERVICEWEAVER_CONFIG"] = config.file;
  return env;
}

/** A path as the user would type it from the working directory: ./dist/main.js, ../app/x.js. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === "" || isAbsolute(rel)) return path;
  if (!rel.startsWith("..")) return `./${rel}`;
  return rel.length < path.length ? rel : path; // ../../tmp/x.js says less than /tmp/x.js
}
