/** How weaver_gen.ts imports the app's declarations: by name, through relative NodeNext specifiers. */
import { relative, sep } from "node:path";
import type { ClassDeclaration, EnumDeclaration, InterfaceDeclaration } from "ts-morph";

/** The NodeNext specifier (relative, with the emitted extension) of `file` as imported from folder `from`. */
export function moduleSpecifier(from: string, file: string): string {
  const rel = relative(from, file)
    .split(sep)
    .join("/")
    .replace(/\.tsx?$/, ".js")
    .replace(/\.mts$/, ".mjs")
    .replace(/\.cts$/, ".cjs");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/**
 * Tells whether a top-level declaration's module exports it under its own name, which is how
 * generated code imports it (not `export default`, nor `export { X as Y }` alone).
 */
export function isExportedByName(decl: ClassDeclaration | InterfaceDeclaration | EnumDeclaration): boolean {
  const name = decl.getName();
  if (name === undefined) return false;
  return decl
    .getSourceFile()
    .getExportSymbols()
    .some((s) => s.getName() === name && (s.getAliasedSymbol() ?? s).getDeclarations().includes(decl));
}
