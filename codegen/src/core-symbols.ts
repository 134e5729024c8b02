/**
 * Recognizes references to @weaver/core's exports (Implements, Main, ref, listener, run) by
 * resolving symbols to their declarations, so renamed and namespace imports work and unrelated
 * functions of the same name do not.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Node, Symbol as MorphSymbol } from "ts-morph";

const packageOf = new Map<string, string | undefined>();

/** The name of the npm package a file belongs to (nearest package.json with a name). */
export function packageName(file: string): string | undefined {
  let dir = dirname(file);
  const visited: string[] = [];
  let found: string | undefined;
  for (;;) {
    if (packageOf.has(dir)) {
      found = packageOf.get(dir);
      break;
    }
    visited.push(dir);
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      const name = (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name;
      if (name !== undefined) {
        found = name;
        break;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of visited) packageOf.set(d, found);
  return found;
}

/** The @weaver/core export a symbol stands for, if it stands for one. */
export function coreExportOfSymbol(symbol: MorphSymbol | undefined): string | undefined {
  if (symbol === undefined) return undefined;
  const target = symbol.isAlias() ? (symbol.getAliasedSymbol() ?? symbol) : symbol;
  const decl = target.getDeclarations()[0];
  if (decl === undefined) return undefined;
  return packageName(decl.getSourceFile().getFilePath()) === "@weaver/core" ? target.getName() : undefined;
}

/** The @weaver/core export an expression (identifier or `ns.name`) refers to, if any. */
export function coreExportOf(node: Node): string | undefined {
  return coreExportOfSymbol(node.getSymbol());
}
