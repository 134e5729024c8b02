// The packages users install can be published as they are: a license, engines, public access,
// types first in exports, the files they need and no tests, and source maps whose sources ship.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/process.js";

const PUBLISHED = [
  "packages/rpc",
  "packages/runtime",
  "packages/core",
  "packages/multi",
  "packages/kube",
  "packages/dashboard",
  "packages/cli",
  "codegen",
  "packages/create-weaver",
];

interface Packed {
  readonly name: string;
  readonly files: readonly { readonly path: string }[];
}

// What `npm pack` would put in each tarball (npm run pack writes them to packs/).
const packed = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", ...PUBLISHED.flatMap((d) => ["-w", d])], {
    cwd: ROOT,
    encoding: "utf8",
  }),
) as Packed[];

describe.each(PUBLISHED)("%s", (dir) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as {
    name: string;
    license?: string;
    engines?: { node?: string };
    publishConfig?: { access?: string };
    exports?: Record<string, string | Record<string, string>>;
    bin?: Record<string, string>;
  };
  const files = new Set(packed.find((p) => p.name === pkg.name)?.files.map((f) => f.path));

  it("says its license, the Node versions it runs on, and that it is public", () => {
    expect(pkg.license).toBe("Apache-2.0");
    expect(files.has("LICENSE")).toBe(true);
    expect(pkg.engines?.node).toBe(">=20.19");
    expect(pkg.publishConfig?.access).toBe("public");
  });

  it("ships what its exports and bin name, types first, and no tests", () => {
    for (const [entry, target] of Object.entries(pkg.exports ?? {})) {
      const targets = typeof target === "string" ? { default: target } : target;
      if (typeof target !== "string") expect(Object.keys(target)[0], `${pkg.name} exports ${entry}`).toBe("types");
      for (const t of Object.values(targets)) expect(files.has(t.replace(/^\.\//, "")), `${pkg.name} exports ${entry} -> ${t}`).toBe(true);
    }
    for (const bin of Object.values(pkg.bin ?? {})) expect(files.has(bin)).toBe(true);
    expect([...files].filter((f) => /\.test\.(js|d\.ts)$/.test(f) || (f.startsWith("src/") && /\.test\.ts$/.test(f)))).toEqual([]);
  });

  it("ships the sources its source maps point at", () => {
    const maps = [...files].filter((f) => f.endsWith(".map"));
    if (!dir.endsWith("create-weaver")) expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, dir, map), "utf8")) as { sources: string[] };
      for (const source of sources) expect(files.has(join(map, "..", source)), `${pkg.name}: ${map} points at ${source}`).toBe(true);
    }
  });
});
