/**
 * State that must be one per process even when a process loads several copies of @weaver/runtime
 * (two versions of a package that depends on it, or one package bundled twice): the registry of
 * generated code and the call context. (Metrics and error classes stay per copy: each copy
 * declares its own framework metrics and error classes, which its own code uses.) Each
 * lives on globalThis under a key that names it and the version of its shape, so every copy finds
 * the same one; a copy whose shape differs keeps its own under another key.
 */

/** The process's one value for `name`, created by the first copy that asks. */
export function processGlobal<T>(name: string, version: number, create: () => T): T {
  const key = Symbol.for(`@weaver/runtime ${name} v${version}`);
  const g = globalThis as Record<symbol, unknown>;
  g[key] ??= create();
  return g[key] as T;
}
