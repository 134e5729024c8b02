// docs/errors.md, the error catalogs of @weaver/runtime and @weaver/core, and the codes the
// sources throw must agree: a code is documented exactly as its catalog describes it, and no
// source throws a code that no catalog has.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CORE_ERRORS } from "@weaver/core";
import { RUNTIME_ERRORS, type ErrorDoc } from "@weaver/runtime/core";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DOC = join(ROOT, "docs/errors.md");

interface DocRow {
  readonly code: string;
  readonly meaning: string;
  readonly fix: string;
  /** The `## ` heading the row sits under. */
  readonly section: string;
  readonly line: number;
}

/** Splits a Markdown table row into its cells (pipes escaped as `\|` stay in the cell). */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** The text a reader sees: Markdown backslash escapes removed (`\<name\>` shows as `<name>`). */
function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, "$1");
}

/** Every row of the `| Code | Meaning | How to fix |` tables in docs/errors.md. */
function docRows(): DocRow[] {
  const rows: DocRow[] = [];
  let section = "";
  let inTable = false;
  readFileSync(DOC, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.startsWith("## ")) section = line.slice(3).trim();
      if (!line.trim().startsWith("|")) {
        inTable = false;
        return;
      }
      const [code = "", meaning = "", fix = "", ...rest] = cells(line);
      if (code === "Code") {
        expect(cells(line), `docs/errors.md:${i + 1}: table header`).toEqual(["Code", "Meaning", "How to fix"]);
        inTable = true;
        return;
      }
      if (!inTable || /^:?-+:?$/.test(code)) return;
      expect(rest, `docs/errors.md:${i + 1}: a row has three cells`).toEqual([]);
      rows.push({
        code: code.replace(/^`(.*)`$/, "$1"),
        meaning: unescapeMarkdown(meaning),
        fix: unescapeMarkdown(fix),
        section,
        line: i + 1,
      });
    });
  return rows;
}

/** The TypeScript sources of every package (tests excluded: they may make codes up). */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules" && name !== "dist") out.push(...sources(path));
    } else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) {
      out.push(path);
    }
  }
  return out;
}

const CATALOGS: Readonly<Record<string, Readonly<Record<string, ErrorDoc>>>> = {
  "@weaver/runtime": RUNTIME_ERRORS,
  "@weaver/core": CORE_ERRORS,
};

describe("docs/errors.md and the error catalogs", () => {
  const rows = docRows();

  it("documents every code once, in a table of its package", () => {
    const seen = new Map<string, number>();
    for (const row of rows) {
      expect(seen.get(row.code), `${row.code} is documented twice (docs/errors.md:${row.line})`).toBeUndefined();
      seen.set(row.code, row.line);
    }
    for (const [pkg, catalog] of Object.entries(CATALOGS)) {
      for (const code of Object.keys(catalog)) {
        const row = rows.find((r) => r.code === code);
        expect(row, `${code} (${pkg}) is missing from docs/errors.md`).toBeDefined();
        expect(row?.section, `${code} belongs under "## ${pkg}" in docs/errors.md`).toBe(pkg);
      }
    }
  });

  it("documents no code that no catalog has", () => {
    const known = new Set(Object.values(CATALOGS).flatMap((c) => Object.keys(c)));
    const unknown = rows.filter((r) => !known.has(r.code)).map((r) => `${r.code} (docs/errors.md:${r.line})`);
    expect(unknown, "codes documented but in no catalog").toEqual([]);
  });

  it("gives each code the catalog's meaning and fix, word for word", () => {
    for (const catalog of Object.values(CATALOGS)) {
      for (const [code, doc] of Object.entries(catalog)) {
        const row = rows.find((r) => r.code === code);
        if (row === undefined) continue; // reported above
        expect({ code, meaning: row.meaning, fix: row.fix }, `docs/errors.md:${row.line}`).toEqual({ code, ...doc });
      }
    }
  });

  it("never gives two catalogs the same code", () => {
    const runtime = Object.keys(RUNTIME_ERRORS);
    expect(Object.keys(CORE_ERRORS).filter((c) => runtime.includes(c))).toEqual([]);
  });

  it("has a catalog entry for every code the sources throw", () => {
    const known = new Set(Object.values(CATALOGS).flatMap((c) => Object.keys(c)));
    const thrower = /(?:\bruntimeError|\bcoreError|\bnew\s+WeaverError|\bsuper)\(\s*["'`](WEAVER_ERR_[A-Z0-9_]+)/g;
    const used: string[] = [];
    const missing: string[] = [];
    const packages = join(ROOT, "packages");
    for (const pkg of readdirSync(packages)) {
      const src = join(packages, pkg, "src");
      if (!statSync(join(packages, pkg)).isDirectory()) continue;
      let files: string[];
      try {
        files = sources(src);
      } catch {
        continue; // a package without src
      }
      for (const file of files) {
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(thrower)) {
          const code = m[1] as string;
          used.push(code);
          if (!known.has(code)) {
            const line = text.slice(0, m.index).split("\n").length;
            missing.push(`${relative(ROOT, file)}:${line}: ${code}`);
          }
        }
      }
    }
    // The scan must find the codes it is meant to check, or it checks nothing.
    expect(used).toContain("WEAVER_ERR_CONFIG_PARSE");
    expect(used).toContain("WEAVER_ERR_DEADLINE_EXCEEDED");
    expect(used).toContain("WEAVER_ERR_REF_UNBOUND");
    expect(missing, "codes thrown in packages/*/src that no catalog (and so docs/errors.md) has").toEqual([]);
  });
});
