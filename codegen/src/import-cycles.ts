/**
 * Refuses imports that lead from a component's implementation back to the file that starts the
 * app. That file imports weaver_gen.js, which imports every implementation; an implementation
 * that imports the main file, directly or through other files, closes a cycle. Whatever loads
 * the generated code or a component first (a test, the testing kit, a replica of the multi
 * runner) then runs the main file's `await run(App)` before the generated code has registered
 * the components, and run() fails; a top-level await caught in the cycle can also leave Node
 * with nothing to do, and it exits with code 13 without a word.
 */
import { relative, sep } from "node:path";
import { Node, ts, type ExportDeclaration, type ImportDeclaration, type SourceFile } from "ts-morph";
import type { Diagnostics } from "./diagnostics.js";

/** A file the generated code imports at run time: a component's implementation. */
export interface ImportedFile {
  readonly file: SourceFile;
  /** The implementation class it declares, to name in messages. */
  readonly impl: string;
}

/**
 * Reports each import, in a file the generated code reaches at run time, of a file that calls
 * run(). `runCalls` maps those files to the text of their call (`run(App)`); `isApp` tells the
 * app's own source files (imports of other files are not followed); `verbatim` is the app's
 * verbatimModuleSyntax, under which an import without `import type` stays even when it names
 * only types. Messages name files relative to the app folder `dir`.
 */
export function checkMainImports(
  starts: readonly ImportedFile[],
  runCalls: ReadonlyMap<string, string>,
  options: { readonly dir: string; readonly isApp: (file: SourceFile) => boolean; readonly verbatim: boolean },
  diag: Diagnostics,
): void {
  const { dir, isApp, verbatim } = options;
  const show = (path: string): string => relative(dir, path).split(sep).join("/");
  // Breadth first, so that each file is reached by a shortest chain of imports.
  const chains = new Map<string, readonly string[]>();
  const queue: SourceFile[] = [];
  for (const { file, impl } of starts) {
    const path = file.getFilePath() as string;
    if (chains.has(path) || runCalls.has(path)) continue;
    chains.set(path, [`${show(path)} (${impl})`]);
    queue.push(file);
  }
  const reported = new Set<Node>();
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const chain = chains.get(file.getFilePath() as string)!;
    for (const decl of [...file.getImportDeclarations(), ...file.getExportDeclarations()]) {
      const target = decl.getModuleSpecifierSourceFile();
      if (target === undefined || !isApp(target) || !importsAtRunTime(decl, verbatim)) continue;
      const path = target.getFilePath() as string;
      const run = runCalls.get(path);
      if (run !== undefined) {
        if (!reported.has(decl)) diag.at(decl, cycleMessage(decl, show(path), run, chain, verbatim));
        reported.add(decl);
      } else if (!chains.has(path)) {
        chains.set(path, [...chain, show(path)]);
        queue.push(target);
      }
    }
  }
}

function cycleMessage(
  decl: ImportDeclaration | ExportDeclaration,
  main: string,
  run: string,
  chain: readonly string[],
  verbatim: boolean,
): string {
  const spec = decl.getModuleSpecifierValue() ?? main;
  const values = valueNames(decl, verbatim);
  const fix =
    values === undefined
      ? "remove this import, or move what it needs from the main file to a module of its own"
      : values.length === 0
        ? "write `import type`, since only types are imported"
        : `move ${values.join(", ")} to a module of its own that both files import`;
  return (
    `this import of ${spec} closes an import cycle: ${main} imports the generated code, which imports ` +
    `${chain.join(", which imports ")}, which imports ${main} here; ${main} starts the app as soon as it loads ` +
    `(\`await ${run}\`), so a test or a replica that loads the generated code first starts the app half-loaded, ` +
    "before its components are registered (or Node exits with code 13 on a top-level await the cycle leaves unsettled). " +
    `Component files must not import the main file: ${fix}`
  );
}

/**
 * The names an import takes as values ([] when it takes types only); undefined for an import of
 * the module as a whole (`import "./x.js"`, `export * from`).
 */
function valueNames(decl: ImportDeclaration | ExportDeclaration, verbatim: boolean): string[] | undefined {
  if (Node.isImportDeclaration(decl)) {
    if (decl.getImportClause() === undefined) return undefined;
    const names: string[] = [];
    const def = decl.getDefaultImport();
    if (def !== undefined) names.push(def.getText());
    const ns = decl.getNamespaceImport();
    if (ns !== undefined) names.push(`* as ${ns.getText()}`);
    for (const s of decl.getNamedImports()) if (!s.isTypeOnly() && (verbatim || isValue(s))) names.push(s.getName());
    return names;
  }
  if (!decl.hasNamedExports()) return undefined;
  return decl
    .getNamedExports()
    .filter((s) => !s.isTypeOnly() && (verbatim || isValue(s)))
    .map((s) => s.getName());
}

/** Whether an import or re-export is still there in the JavaScript that runs. */
function importsAtRunTime(decl: ImportDeclaration | ExportDeclaration, verbatim: boolean): boolean {
  if (decl.isTypeOnly()) return false;
  // verbatimModuleSyntax keeps `import { type A } from` as `import {} from`.
  if (verbatim) return true;
  const values = valueNames(decl, verbatim);
  return values === undefined || values.length > 0;
}

/** Whether an imported or re-exported name is a value (the compiler drops imports of types only). */
function isValue(specifier: Node): boolean {
  const symbol = specifier.getSymbol();
  const target = symbol?.isAlias() === true ? symbol.getAliasedSymbol() : symbol;
  return target === undefined || (target.getFlags() & ts.SymbolFlags.Value) !== 0;
}
