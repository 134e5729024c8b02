// Error fixtures: each fixtures/errors/<case> is an app with mistakes. Each file names the
// problems reported in it with `// ERROR: <substring>` lines (a substring may start with
// `<file>:<line>:<col>: ` to pin the position). The generator must report each of them, as
// `path:line:col: message` in that file, report nothing else, and write nothing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate, type Diagnostic } from "../src/index.js";
import { cases, directives, filesBelow, REPO, scratch, type Scratch } from "./support.js";

const all = cases("errors");
let tmp: Scratch;

beforeAll(() => {
  tmp = scratch("errors");
});
afterAll(() => tmp.dispose());

describe("weaver generate reports", () => {
  it("has error fixtures", () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
  });

  it.each(all)("%s", (name) => {
    const dir = tmp.app("errors", name);
    const before = filesBelow(dir);
    const expected = directives(dir, "ERROR");
    expect(expected, "the fixture names its errors with // ERROR: lines").not.toEqual([]);

    const result = generate([dir], { cwd: dir });

    // Nothing written, on disk or in the result.
    expect(result.written).toEqual([]);
    expect(filesBelow(dir)).toEqual(before);
    expect(existsSync(join(dir, "src", "weaver_gen.ts"))).toBe(false);

    const shown = result.diagnostics.map((d) => ({ d, text: formatDiagnostic(d) }));
    for (const { d, text } of shown) {
      // Every diagnostic has a position in a source file of the app, or names the app's folder.
      if (d.line > 0) expect(text).toMatch(/^src\/[\w/.-]+\.ts:\d+:\d+: \S/);
      else expect(text).toMatch(/^(\.|src\/[\w/.-]+\.ts): \S/);
    }
    // Each expected error is reported in the file that names it.
    for (const e of expected) {
      const found = shown.filter(({ d, text }) => inFile(d, e.file) && matches(text, e.text));
      expect(found, `${e.file}:${e.line}: expected a diagnostic containing "${e.text}"; got:\n${list(result.diagnostics)}`).not.toEqual([]);
    }
    // And nothing else is reported.
    for (const { d, text } of shown) {
      const wanted = expected.some((e) => inFile(d, e.file) && matches(text, e.text));
      expect(wanted, `unexpected diagnostic: ${text}`).toBe(true);
    }
  });
});

describe("weaver generate (the command)", () => {
  it("prints every problem as path:line:col: message, writes nothing and fails", () => {
    const dir = tmp.app("errors", "several-mistakes");
    const expected = generate([dir], { cwd: REPO }).diagnostics.map(formatDiagnostic);
    const cli = spawnSync(process.execPath, [join(REPO, "packages", "cli", "bin", "weaver.js"), "generate", relative(REPO, dir)], {
      cwd: REPO,
      encoding: "utf8",
    });
    expect(cli.status).not.toBe(0);
    expect(cli.stdout).toBe("");
    expect(cli.stderr.trimEnd().split("\n")).toEqual(expected);
    expect(expected.length).toBeGreaterThan(5);
    expect(existsSync(join(dir, "src", "weaver_gen.ts"))).toBe(false);
  });
});

/** Whether a diagnostic is about `file` (relative to the app), or about the app as a whole. */
function inFile(d: Diagnostic, file: string): boolean {
  return d.file === file || (d.line === 0 && d.file === ".");
}

/** Whether a formatted diagnostic matches an expectation; `name.ts:l:c: ...` pins the position. */
function matches(text: string, expected: string): boolean {
  const pinned = /^([\w.-]+\.ts):(\d+:\d+: .*)$/.exec(expected);
  if (pinned === null) return text.includes(expected);
  const [, base, rest] = pinned as unknown as [string, string, string];
  return text.includes(`/${base}:${rest}`);
}

function list(ds: readonly Diagnostic[]): string {
  return ds.length === 0 ? "  (nothing)" : ds.map((d) => `  ${formatDiagnostic(d)}`).join("\n");
}
