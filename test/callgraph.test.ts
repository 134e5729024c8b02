// `weaver callgraph`, run for real on the example apps: Mermaid in Service Weaver's layout, JSON
// and dot, from an app folder or its built entry, and one clear error for what is not an app.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runToEnd } from "./support/process.js";

const weaver = (...args: string[]) => runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "callgraph", ...args]);
const tmp = mkdtempSync(join(ROOT, ".tmp-callgraph-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("weaver callgraph", () => {
  it("prints an app folder's graph as Mermaid: numbered nodes with short names, Main first, then the edges", async () => {
    const r = await weaver("examples/reverser");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '%%{init: {"flowchart": {"defaultRenderer": "elk"}} }%%',
        "graph TD",
        "    %% Nodes.",
        "    0(weaver.Main)",
        "    1(reverser.Converter)",
        "    2(reverser.Reverser)",
        "",
        "    %% Edges.",
        "    0 --> 1",
        "    0 --> 2",
        "",
      ].join("\n"),
    );
  });

  it("prints the same graph as JSON from the built entry, and as dot", async () => {
    const json = await weaver("--format", "json", "examples/reverser/dist/main.js");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      app: "reverser",
      version: expect.stringMatching(/^[0-9a-f]{16}$/),
      components: [
        { name: "weaver/Main", short: "weaver.Main" },
        { name: "reverser/Converter", short: "reverser.Converter" },
        { name: "reverser/Reverser", short: "reverser.Reverser" },
      ],
      edges: [
        ["weaver/Main", "reverser/Converter"],
        ["weaver/Main", "reverser/Reverser"],
      ],
    });
    const dot = await weaver("--format", "dot", "test/apps/bank");
    expect(dot.code).toBe(0);
    expect(dot.stdout).toBe(
      [
        'digraph "bank" {',
        "    node [shape=box, style=rounded];",
        '    0 [label="weaver.Main"];',
        '    1 [label="bank.Audit"];',
        '    2 [label="bank.Ledger"];',
        '    3 [label="bank.Teller"];',
        "    0 -> 3;",
        "    3 -> 1;",
        "    3 -> 2;",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("says a folder that is not a generated app is not one, and what to run", async () => {
    writeFileSync(join(tmp, "package.json"), '{"name": "not-an-app"}\n');
    const dir = tmp.slice(ROOT.length);
    const r = await weaver(dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `weaver: ${dir} is not a generated Weaver app: there is no weaver_manifest.json in it or its folders; ` +
        `run \`weaver generate ${dir}\` first, or give the app's built entry (e.g. dist/main.js)\n`,
    );
  });

  it("refuses an unknown format and a path that does not exist", async () => {
    const format = await weaver("--format", "svg", "examples/reverser");
    expect(format.code).toBe(2);
    expect(format.stderr).toBe("weaver: --format svg is not one of mermaid, json, dot\n");
    const missing = await weaver("examples/nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^weaver: examples\/nope does not exist: give an app folder or the app's built entry/);
  });
});
