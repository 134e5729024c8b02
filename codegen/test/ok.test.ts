// Success fixtures: each fixtures/ok/<case> is a valid app. Its files carry `// EXPECTED: <text>`
// and `// UNEXPECTED: <text>` lines, looked for in the generated weaver_gen.ts and
// weaver_manifest.json (and in the manifest as compact JSON, so that manifest entries can be
// written on one line). The generated code must type-check with the app.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { extractManifest } from "@weaver/runtime/codegen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate, GENERATED_FILE, GENERATED_HEADER, MANIFEST_FILE } from "../src/index.js";
import { cases, directives, REPO, scratch, typeCheck, type Scratch } from "./support.js";

const all = cases("ok");
let tmp: Scratch;

beforeAll(() => {
  tmp = scratch("ok");
});
afterAll(() => tmp.dispose());

describe("weaver generate writes", () => {
  it.each(all)("%s", (name) => {
    const dir = tmp.app("ok", name);
    const expected = directives(dir, "EXPECTED");
    const unexpected = directives(dir, "UNEXPECTED");
    expect(expected, "the fixture names what to expect with // EXPECTED: lines").not.toEqual([]);

    const result = generate([dir], { cwd: dir });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    // Both files go beside Main (src/main.ts in every fixture).
    expect(result.written.map((f) => relative(dir, f)).sort()).toEqual([join("src", GENERATED_FILE), join("src", MANIFEST_FILE)]);

    const gen = readFileSync(join(dir, "src", GENERATED_FILE), "utf8");
    const manifestText = readFileSync(join(dir, "src", MANIFEST_FILE), "utf8");
    expect(gen.startsWith(GENERATED_HEADER + "\n")).toBe(true);
    // The manifest embedded in the generated code is the one written beside it.
    expect(extractManifest(gen)).toEqual(JSON.parse(manifestText));

    // Nothing depends on where the app is.
    expect(gen).not.toContain(REPO);
    expect(manifestText).not.toContain(REPO);

    const texts = [gen, manifestText, JSON.stringify(JSON.parse(manifestText))];
    for (const e of expected) {
      expect(
        texts.some((t) => t.includes(e.text)),
        `${e.file}:${e.line}: EXPECTED ${e.text}\n--- ${GENERATED_FILE}:\n${gen}`,
      ).toBe(true);
    }
    for (const u of unexpected) {
      expect(
        texts.some((t) => t.includes(u.text)),
        `${u.file}:${u.line}: UNEXPECTED ${u.text}`,
      ).toBe(false);
    }

    // The generated code type-checks with the app.
    expect(typeCheck(dir)).toEqual([]);
  });
});
