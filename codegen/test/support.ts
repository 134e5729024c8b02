/**
 * Helpers of the generator's fixture tests. Fixture apps live in fixtures/errors/<case> and
 * fixtures/ok/<case>; tests copy them into a scratch folder under codegen/test/.tmp (inside the
 * repo, so that Node and TypeScript find @weaver/core in the workspace's node_modules), generate
 * there, and type-check the result with the TypeScript compiler API.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));

/** The fixture folders. */
export const FIXTURES = join(here, "fixtures");
/** The repository root (the one with tsconfig.base.json). */
export const REPO = join(here, "..", "..");

/** A scratch copy of fixture apps; `dispose()` removes it. */
export interface Scratch {
  /** The scratch root; apps are at `<root>/<group>/<case>`. */
  readonly root: string;
  /** The absolute folder of a copied app. */
  app(group: string, name: string): string;
  dispose(): void;
}

/** Copies fixture groups (e.g. "ok", "errors/no-main") into a new scratch folder. */
export function scratch(...groups: string[]): Scratch {
  const base = join(here, ".tmp");
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, "run-"));
  // The apps' tsconfig.json extend ../../tsconfig.fixture.json, which extends the repo's base.
  const config = JSON.parse(readFileSync(join(FIXTURES, "tsconfig.fixture.json"), "utf8")) as { extends: string };
  config.extends = relative(root, join(REPO, "tsconfig.base.json")).split(sep).join("/");
  writeFileSync(join(root, "tsconfig.fixture.json"), JSON.stringify(config, null, 2) + "\n");
  for (const group of groups) cpSync(join(FIXTURES, group), join(root, group), { recursive: true });
  return {
    root,
    app: (group, name) => join(root, group, name),
    dispose: () => {
      rmSync(root, { recursive: true, force: true });
      try {
        rmdirSync(base); // only when no other test still uses it
      } catch {
        // Not empty: another test file's scratch copy is still there.
      }
    },
  };
}

/** The case folders of a fixture group, sorted. */
export function cases(group: string): string[] {
  return readdirSync(join(FIXTURES, group))
    .filter((name) => statSync(join(FIXTURES, group, name)).isDirectory())
    .sort();
}

/** Every file below `dir`, as paths relative to it, sorted. */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

/** An expectation comment of a fixture file: `// <TAG>: <text>`. */
export interface Directive {
  /** The file that carries it, relative to the app folder. */
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** The `// <tag>: <text>` lines of every .ts file of an app. */
export function directives(appDir: string, tag: "ERROR" | "EXPECTED" | "UNEXPECTED"): Directive[] {
  const prefix = `// ${tag}: `;
  return filesBelow(appDir)
    .filter((f) => f.endsWith(".ts"))
    .flatMap((file) =>
      readFileSync(join(appDir, file), "utf8")
        .split("\n")
        .flatMap((line, i) =>
          line.trimStart().startsWith(prefix) ? [{ file, line: i + 1, text: line.trimStart().slice(prefix.length).trimEnd() }] : [],
        ),
    );
}

const sourceCache = new Map<string, ts.SourceFile>();
const programs = new Map<string, ts.Program>();

/**
 * Type-checks the app whose tsconfig.json is in `appDir`, as `tsc --noEmit -p` would; returns the
 * diagnostics formatted `path(line,col): error TSxxxx: message`, paths relative to the app.
 * Files outside the app (lib, @types, the workspace packages) are parsed once per test file.
 */
export function typeCheck(appDir: string): string[] {
  const configPath = join(appDir, "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (parsed === undefined) throw new Error(`cannot read ${configPath}`);
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const shared = !fileName.startsWith(appDir + "/");
    const cached = shared ? sourceCache.get(fileName) : undefined;
    if (cached !== undefined) return cached;
    const file = getSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (shared && file !== undefined) sourceCache.set(fileName, file);
    return file;
  };
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    host,
    oldProgram: programs.get(appDir),
    configFileParsingDiagnostics: parsed.errors,
  });
  programs.set(appDir, program);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${text}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${relative(appDir, d.file.fileName)}(${line + 1},${character + 1}): error TS${d.code}: ${text}`;
  });
}
