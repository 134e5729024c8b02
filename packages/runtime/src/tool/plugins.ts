/**
 * Deployer plugins: `weaver <x>` for an <x> that is not built in runs the executable `weaver-<x>`
 * found on PATH, as Service Weaver does for `weaver gke` and `weaver kube`. This is how a
 * third-party deployer joins the command; its name is also the name of its config section, which
 * every other deployer therefore leaves to it.
 */
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The name of the executable that implements `weaver <name>`. */
export function pluginExecutable(name: string): string {
  return `weaver-${name}`;
}

/** The file extensions an executable may have (Windows' PATHEXT; none elsewhere). */
function extensions(env: NodeJS.ProcessEnv): string[] {
  return process.platform === "win32" ? (env["PATHEXT"] ?? ".COM;.EXE;.BAT;.CMD").split(";") : [""];
}

/**
 * Finds the executable for `weaver <name>` on PATH, honouring PATHEXT on Windows. Returns
 * undefined when there is none, or when the name could not be a plugin (a path, empty).
 */
export function findPlugin(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // A name with a path separator would let `weaver ../x` run files outside PATH.
  if (name === "" || /[/\\]/.test(name)) return undefined;
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    for (const ext of extensions(env)) {
      const file = join(dir, pluginExecutable(name) + ext);
      if (isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

/** The names of the deployer plugins on PATH (`weaver-kube` gives "kube"), sorted. */
export function pluginDeployers(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = new Set<string>();
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    let entries: string[];
    try {
      entries = dir === "" ? [] : readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const m = /^weaver-([a-z][a-z0-9-]*)$/i.exec(
        extensions(env).reduce(
          (n, ext) => (ext !== "" && n.toUpperCase().endsWith(ext.toUpperCase()) ? n.slice(0, -ext.length) : n),
          entry,
        ),
      );
      if (m !== null && isExecutableFile(join(dir, entry))) names.add((m[1] as string).toLowerCase());
    }
  }
  return [...names].sort();
}

function isExecutableFile(file: string): boolean {
  try {
    if (process.platform !== "win32") accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
