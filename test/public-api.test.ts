// The public surface of each package: `exports` in package.json is the only door, entry points
// export names explicitly, and every exported name carries a doc comment.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Node, Project } from "ts-morph";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/process.js";

const PACKAGES = ["packages/rpc", "packages/runtime", "packages/multi", "packages/dashboard", "packages/core", "packages/cli", "codegen"];

interface PackageJson {
  name: string;
  exports: Record<string, string | Record<string, string>>;
}

describe.each(PACKAGES)("%s", (dir) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as PackageJson;
  const entries = Object.entries(pkg.exports).filter(([k]) => k !== "./package.json");

  it("exports only files that exist, and nothing internal", () => {
    for (const [subpath, target] of entries) {
      const targets = typeof target === "string" ? [target] : Object.values(target);
      for (const t of targets) {
        expect(existsSync(join(ROOT, dir, t)), `${pkg.name} exports ${subpath} -> ${t}`).toBe(true);
        expect(t).not.toMatch(/internal/);
      }
    }
  });

  it("entry points export names explicitly and document each one", () => {
    const sources = entries.map(([, t]) =>
      (typeof t === "string" ? t : (t["default"] as string)).replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"),
    );
    if (sources.length === 0) return;
    const project = new Project({ tsConfigFilePath: join(ROOT, dir, "tsconfig.json") });
    const undocumented: string[] = [];
    for (const source of sources) {
      const file = project.getSourceFileOrThrow(join(ROOT, dir, source));
      expect(file.getText(), `${source} uses export *`).not.toMatch(/export \* from/);
      for (const [name, decls] of file.getExportedDeclarations()) {
        const documented = decls.some((d) => {
          const target = Node.isVariableDeclaration(d) ? d.getVariableStatement() : d;
          return target !== undefined && Node.isJSDocable(target) && target.getJsDocs().length > 0;
        });
        if (!documented) undocumented.push(`${source}: ${name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
