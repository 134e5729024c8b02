/**
 * Writing the app: the template's files with the app's name in them, and a package.json that
 * names two Weaver packages, the app API (@weaver/core) and the weaver command (@weaver/cli, a
 * dev dependency), from the registry or from local tarballs.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where Weaver is installed from. */
export type Source = { readonly kind: "registry" } | { readonly kind: "packs"; readonly dir: string };

/** The template's folder (shipped with this package). */
const TEMPLATE = fileURLToPath(new URL("../template", import.meta.url));

/** This package's version, which is the version of Weaver it installs. */
const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** The Weaver packages an app's two pull in, by the name of their tarball (`npm pack` names it). */
const PACKAGES = ["@weaver/core", "@weaver/cli", "@weaver/runtime", "@weaver/rpc", "@weaver/codegen", "@weaver/multi", "@weaver/dashboard"];

/** Writes the app `name` into `dir` (new or empty). */
export function scaffold(dir: string, name: string, source: Source): void {
  const specs = source.kind === "registry" ? registry() : packs(source.dir);
  copyTemplate(TEMPLATE, dir, name);
  const pkg = {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=20.19" },
    scripts: {
      build: "weaver generate . && tsc -p .",
      dev: "weaver dev weaver.toml",
      test: "npm run build && vitest run",
      deploy: "npm run build && weaver single deploy weaver.toml",
      "deploy:multi": "npm run build && weaver multi deploy weaver.toml",
    },
    dependencies: { "@weaver/core": specs["@weaver/core"] },
    devDependencies: { "@types/node": "^20.19.0", "@weaver/cli": specs["@weaver/cli"], typescript: "^6.0.2", vitest: "^4.1.12" },
    // The packages @weaver/core and @weaver/cli depend on, from the same tarballs.
    ...(source.kind === "packs" ? { overrides: Object.fromEntries(PACKAGES.slice(2).map((p) => [p, specs[p]])) } : {}),
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
}

function registry(): Record<string, string> {
  return Object.fromEntries(PACKAGES.map((p) => [p, `^${VERSION}`]));
}

/** `file:` specs of the tarballs in `dir`, which must hold one of each Weaver package. */
function packs(dir: string): Record<string, string> {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    throw new Error(`--packs ${dir}: no such folder; run \`npm run pack\` in a Weaver checkout to write it`);
  }
  const specs: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of PACKAGES) {
    const prefix = `${p.replace("@", "").replace("/", "-")}-`;
    const found = files.filter((f) => f.startsWith(prefix) && f.endsWith(".tgz") && /^\d/.test(f.slice(prefix.length))).sort();
    if (found.length === 0) missing.push(`${prefix}<version>.tgz`);
    else specs[p] = `file:${join(dir, found[found.length - 1] as string)}`;
  }
  if (missing.length > 0)
    throw new Error(`--packs ${dir} lacks ${missing.join(", ")}: run \`npm run pack\` in a Weaver checkout to write them all`);
  return specs;
}

/** Copies the template, putting the app's name in its text files; `gitignore` becomes `.gitignore` (npm leaves dotfiles out of packages). */
function copyTemplate(from: string, to: string, name: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const target = join(to, entry === "gitignore" ? ".gitignore" : entry);
    if (statSync(source).isDirectory()) {
      copyTemplate(source, target, name);
    } else if (/\.(md|ts|json|toml)$/.test(entry)) {
      writeFileSync(target, readFileSync(source, "utf8").replaceAll("{{name}}", name));
    } else {
      copyFileSync(source, target);
    }
  }
}
