/**
 * Where the compiled JavaScript of an app's generated code is. The multi runner starts components
 * in processes of their own, which run plain Node: when a test runs the TypeScript sources (as
 * vitest does), those processes load the app's build instead, found through the tsconfig.json
 * that compiles the sources (rootDir to outDir). The build must be of the same sources: its
 * manifest's version hash must be the one the test registered.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeError, type Manifest } from "@weaver/runtime";
import { extractManifest, generatedModule } from "@weaver/runtime/core";

/** The compiled weaver_gen.js of `app`, checked to be built from the sources the test runs. */
export function compiledGenerated(app: Manifest): string {
  const url = generatedModule(app);
  if (url === undefined) {
    throw runtimeError(
      "WEAVER_ERR_NOT_GENERATED",
      `the generated code of app ${app.app} does not say where it is (it predates the multi runner): run \`weaver generate\` on the app`,
    );
  }
  const source = fileURLToPath(url);
  const file = /\.[cm]?ts$/.test(source) ? compiledPath(source) : source;
  if (!existsSync(file)) {
    throw runtimeError(
      "WEAVER_ERR_NOT_GENERATED",
      `the multi runner runs each component group in a process of its own, from the app's build, and ${file} is missing: build the app (npm run build) before the test`,
    );
  }
  const built = extractManifest(readFileSync(file, "utf8"));
  if (built?.versionHash !== app.versionHash) {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `${file} was built from other sources than the test runs (app version ${built?.versionHash ?? "unknown"}, not ${app.versionHash}): rebuild the app (npm run build) before the test`,
    );
  }
  return file;
}

/** The file tsc emits for a source file, by the nearest tsconfig.json's rootDir and outDir. */
function compiledPath(source: string): string {
  for (let dir = dirname(source); ; dir = dirname(dir)) {
    const tsconfig = join(dir, "tsconfig.json");
    if (existsSync(tsconfig)) {
      const { rootDir, outDir } = compilerOptions(tsconfig);
      if (outDir === undefined) {
        throw runtimeError(
          "WEAVER_ERR_NOT_GENERATED",
          `${tsconfig} sets no outDir, so the multi runner cannot tell where ${source} is built; set compilerOptions.outDir`,
        );
      }
      const from = rootDir ?? dir;
      return join(outDir, relative(from, source))
        .replace(/\.ts$/, ".js")
        .replace(/\.mts$/, ".mjs")
        .replace(/\.cts$/, ".cjs");
    }
    if (dirname(dir) === dir) throw runtimeError("WEAVER_ERR_NOT_GENERATED", `no tsconfig.json above ${source} says where it is built`);
  }
}

/** rootDir and outDir (absolute) of a tsconfig.json, following `extends` to relative files. */
function compilerOptions(file: string, depth = 0): { rootDir?: string; outDir?: string } {
  const json = JSON.parse(stripJsonComments(readFileSync(file, "utf8"))) as {
    extends?: string;
    compilerOptions?: { rootDir?: string; outDir?: string };
  };
  const base =
    typeof json.extends === "string" && json.extends.startsWith(".") && depth < 8
      ? compilerOptions(resolve(dirname(file), json.extends), depth + 1)
      : {};
  const own = json.compilerOptions ?? {};
  return {
    ...base,
    ...(own.rootDir === undefined ? {} : { rootDir: resolve(dirname(file), own.rootDir) }),
    ...(own.outDir === undefined ? {} : { outDir: resolve(dirname(file), own.outDir) }),
  };
}

/** JSON with comments and trailing commas (as tsconfig.json allows) made into JSON. */
function stripJsonComments(text: string): string {
  return text
    .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? "")
    .replace(/,(\s*[}\]])/g, "$1");
}
