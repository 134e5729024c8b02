/**
 * Starting an app's processes, as every deployer does: the binary the config names (checked
 * before anything starts), the command that runs it, and its environment.
 */
import { statSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import type { AppConfig } from "../config/config.js";
import { runtimeError } from "../errors.js";

/** Returns the absolute path of `[serviceweaver] binary` after checking that it names a file. */
export function appBinary(config: AppConfig): string {
  const binary = config.binary;
  if (binary === undefined) {
    throw runtimeError(
      "WEAVER_ERR_CONFIG_KEY",
      `${config.file}: [serviceweaver] binary is missing: set it to the app's compiled entry file, ` +
        `e.g. binary = "./dist/main.js" (relative to the config file's folder)`,
    );
  }
  const where = `(from [serviceweaver] binary in ${config.file})`;
  let isFile: boolean;
  try {
    isFile = statSync(binary).isFile();
  } catch {
    throw runtimeError("WEAVER_ERR_BINARY", `binary ${shownPath(binary)} ${where} does not exist: build the app (npm run build) or fix the path`);
  }
  if (!isFile) {
    throw runtimeError("WEAVER_ERR_BINARY", `binary ${shownPath(binary)} ${where} is a folder: point it at the app's entry file, e.g. ./dist/main.js`);
  }
  return binary;
}

/** The command that runs a binary: a .js/.mjs/.cjs file runs with this Node, anything else as it is. */
export function appCommand(binary: string, args: readonly string[]): [string, string[]] {
  return /\.[cm]?js$/i.test(binary) ? [process.execPath, [binary, ...args]] : [binary, [...args]];
}

/** The environment of an app process: `base`, the config's env entries, and SERVICEWEAVER_CONFIG. */
export function appEnvironment(config: AppConfig, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const entry of config.env) {
    const eq = entry.indexOf("="); // parseConfig guarantees KEY=VALUE
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  if (config.file !== "") env["SERVICEWEAVER_CONFIG"] = config.file;
  return env;
}

/** A path as the user would type it from the working directory: ./dist/main.js, ../app/x.js. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === "" || isAbsolute(rel)) return path;
  if (!rel.startsWith("..")) return `./${rel}`;
  return rel.length < path.length ? rel : path; // ../../tmp/x.js says less than /tmp/x.js
}
