// The tiers of the code base, as rules on imports (the model is tRPC's lint rules and Hono's
// exports check). Every import of every TypeScript file in the repository is checked:
//
// - a relative import stays inside its own package;
// - a Weaver package is imported only through an entry its package.json exports (no deep
//   imports of dist/ or src/);
// - each entry may be imported only by the code its tier is for: apps use @weaver/core (and
//   /testing in tests); the code weaver generate writes uses @weaver/core/codegen; deployers,
//   the dashboard and the CLI use the deployer API (@weaver/runtime, /tool); only @weaver/core
//   uses @weaver/runtime/core, and only @weaver/runtime uses @weaver/rpc.
//
// Tests and benchmarks of the whole repository (test/, bench/src/) may use any exported entry.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** Who imports: a package (by its folder), app code, generated code, or repository-wide tests. */
export type Importer = { readonly kind: "package"; readonly dir: string } | { readonly kind: "app" | "generated" | "repo-test" };

/** Which importers may use each Weaver entry (package folder names; "app", "generated", "repo-test"). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  "@weaver/rpc": ["packages/runtime", "repo-test"],
  "@weaver/runtime": [
    "packages/core",
    "packages/multi",
    "packages/kube",
    "packages/dashboard",
    "packages/cli",
    "test/minimal-deployer",
    "repo-test",
  ],
  "@weaver/runtime/tool": ["packages/multi", "packages/kube", "packages/dashboard", "packages/cli", "test/minimal-deployer", "repo-test"],
  "@weaver/runtime/codegen": ["packages/core", "codegen", "repo-test"],
  "@weaver/runtime/core": ["packages/core", "repo-test"],
  "@weaver/core": ["app", "repo-test"],
  "@weaver/core/testing": ["app", "repo-test"],
  "@weaver/core/codegen": ["generated", "repo-test"],
  "@weaver/multi": ["packages/cli", "repo-test"],
  "@weaver/codegen": ["packages/cli", "repo-test"],
  "@weaver/dashboard": ["repo-test"],
  "@weaver/kube": ["repo-test"],
};

/** The folders whose TypeScript is checked, and what kind of importer their files are. */
const PACKAGE_DIRS = [
  "packages/rpc",
  "packages/runtime",
  "packages/core",
  "packages/multi",
  "packages/kube",
  "packages/dashboard",
  "packages/cli",
  "codegen",
  "test/minimal-deployer",
];
const APP_DIRS = [
  "examples/hello",
  "examples/reverser",
  "test/apps/bank",
  "test/apps/netapp",
  "test/apps/conformance",
  "bench/echo",
  "packages/create-weaver/template",
];

/** One import that breaks a rule. */
export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly why: string;
}

/** What kind of importer a file (relative to the repository) is, or undefined when it is not checked. */
export function importerOf(file: string): Importer | undefined {
  if (/(^|\/)(node_modules|dist|\.tmp[^/]*|fixtures)\//.test(file)) return undefined;
  if (file.endsWith("weaver_gen.ts")) return { kind: "generated" };
  if (APP_DIRS.some((d) => file.startsWith(`${d}/`))) return { kind: "app" };
  const pkg = PACKAGE_DIRS.find((d) => file.startsWith(`${d}/src/`));
  if (pkg !== undefined) return { kind: "package", dir: pkg };
  if (file.startsWith("test/") || file.startsWith("bench/src/") || file.startsWith("codegen/test/")) return { kind: "repo-test" };
  return undefined;
}

/**
 * The import specifiers of a source text, with their lines: static imports, re-exports and
 * dynamic imports of string literals, as TypeScript's scanner finds them (so text in comments and
 * strings is not mistaken for an import).
 */
export function importsOf(text: string): { specifier: string; line: number }[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => ({ specifier: f.fileName, line: text.slice(0, f.pos).split("\n").length }));
}

/** Checks one file's imports; `root` is the repository, `file` relative to it. */
export function checkFile(
  root: string,
  file: string,
  text: string,
  exportsOf: (pkg: string) => readonly string[] | undefined,
): Violation[] {
  const importer = importerOf(file);
  if (importer === undefined) return [];
  const who = importer.kind === "package" ? importer.dir : importer.kind;
  const violations: Violation[] = [];
  for (const { specifier, line } of importsOf(text)) {
    const fail = (why: string): void => void violations.push({ file, line, specifier, why });
    if (specifier.startsWith(".")) {
      if (importer.kind !== "package") continue;
      const target = relative(root, resolve(root, dirname(file), specifier))
        .split(sep)
        .join("/");
      if (!target.startsWith(`${importer.dir}/`))
        fail(`a relative import leaves ${importer.dir}; import another package through an entry it exports`);
      continue;
    }
    const m = /^(@weaver\/[\w-]+)(\/.*)?$/.exec(specifier);
    if (m === null) continue;
    const pkg = m[1] as string;
    const entry = `.${m[2] ?? ""}`;
    const entries = exportsOf(pkg);
    if (entries === undefined) {
      fail(`${pkg} is not a package of this repository`);
      continue;
    }
    if (!entries.includes(entry)) {
      fail(`${pkg} does not export ${entry}: it exports ${entries.join(", ")}; import an entry, never a package's files`);
      continue;
    }
    const allowed = ALLOWED[specifier] ?? [];
    if (!allowed.includes(who)) {
      fail(`${who} may not import ${specifier} (its tier is for ${allowed.join(", ")})`);
    }
  }
  return violations;
}

/** Checks every TypeScript file of the repository at `root`. */
export function checkRepository(root: string): Violation[] {
  const exportsCache = new Map<string, readonly string[] | undefined>();
  const dirOf = new Map<string, string>();
  for (const dir of PACKAGE_DIRS) {
    const pj = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { name: string };
    dirOf.set(pj.name, dir);
  }
  const exportsOf = (pkg: string): readonly string[] | undefined => {
    if (!exportsCache.has(pkg)) {
      const dir = dirOf.get(pkg);
      const pj =
        dir === undefined
          ? undefined
          : (JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { exports?: Record<string, unknown> });
      exportsCache.set(pkg, pj === undefined ? undefined : Object.keys(pj.exports ?? {}).filter((k) => k !== "./package.json"));
    }
    return exportsCache.get(pkg);
  };
  const violations: Violation[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
      const rel = dir === "" ? name : `${dir}/${name}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts"))
        violations.push(...checkFile(root, rel, readFileSync(join(root, rel), "utf8"), exportsOf));
    }
  };
  for (const top of ["packages", "codegen", "examples", "test", "bench"]) walk(top);
  return violations;
}
