/**
 * Starting an app's processes, as every deployer does: the config and the app it names (checked
 * together before anything starts), the command that runs the binary, and its environment.
 */
import { statSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { loadConfig, type AppConfig } from "../config/config.js";
import type { ConfigSection } from "../config/config-section.js";
import { runtimeError } from "../errors.js";
import { readManifest, type Manifest } from "../generated/manifest.js";
import { pluginDeployers } from "../tool/plugins.js";

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
    throw runtimeError(
      "WEAVER_ERR_BINARY",
      `binary ${shownPath(binary)} ${where} does not exist: build the app (npm run build) or fix the path`,
    );
  }
  if (!isFile) {
    throw runtimeError(
      "WEAVER_ERR_BINARY",
      `binary ${shownPath(binary)} ${where} is a folder: point it at the app's entry file, e.g. ./dist/main.js`,
    );
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

/** A config file and the app it names, checked together and ready to deploy. */
export interface Deployable {
  readonly config: AppConfig;
  readonly manifest: Manifest;
  /** The app's entry, checked to exist (see appBinary). */
  readonly binary: string;
}

/**
 * Loads weaver.toml for a deployment and reads the manifest of the app its [serviceweaver] binary
 * names, then checks the whole file against the app: [serviceweaver], [single], `sections` (the
 * deployer's own and any other it knows), the component sections, colocation and listeners.
 * Sections of the deployer plugins on PATH are left to them, and with `otherSections: "any"` every
 * other deployer's section (for a deployer that runs where the weaver command is not, such as a
 * pod). Every problem of the file is reported in one error; a binary that cannot be read is
 * reported alone when the file is fine.
 */
export function loadDeployable(
  file: string,
  sections: readonly ConfigSection<object>[] = [],
  options: { readonly otherSections?: "any" } = {},
): Deployable {
  let binary: string | undefined;
  let manifest: Manifest | undefined;
  const config = loadConfig(file, {
    sections,
    others: options.otherSections ?? pluginDeployers(),
    manifest: (partial) => {
      binary = appBinary(partial);
      manifest = readManifest(binary);
      return manifest;
    },
  });
  return { config, manifest: manifest as Manifest, binary: binary as string };
}
