import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Manifest } from "@weaver/runtime";
import { MULTI_SECTION, computeGroups } from "./groups.js";

const component = (name: string, short: string) => ({
  name,
  short,
  impl: "X",
  source: "src/x.ts",
  methods: [],
  refs: [],
  listeners: [],
  config: null,
});
const manifest: Manifest = {
  app: "shop",
  codegenVersion: "0.1",
  versionHash: "h",
  components: [
    component("shop/Cart", "shop.Cart"),
    component("shop/Store", "shop.Store"),
    component("shop/Tax", "shop.Tax"),
    component("weaver/Main", "weaver.Main"),
  ],
  callGraph: [],
};
const dir = mkdtempSync(join(tmpdir(), "weaver-groups-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = join(dir, "weaver.toml");
/** The groups of `manifest` under a config file with `toml`, checked as `weaver multi deploy` checks it. */
const groups = (toml: string) => {
  writeFileSync(FILE, toml);
  return computeGroups(manifest, loadConfig(FILE, { sections: [MULTI_SECTION], manifest })).map((g) => [g.name, g.components, g.replicas]);
};

describe("computeGroups", () => {
  it("makes each component a group of 2 replicas, Main first", () => {
    expect(groups("")).toEqual([
      ["weaver.Main", ["weaver/Main"], 2],
      ["shop.Cart", ["shop/Cart"], 2],
      ["shop.Store", ["shop/Store"], 2],
      ["shop.Tax", ["shop/Tax"], 2],
    ]);
  });

  it("puts colocated components in one group named after its first component", () => {
    expect(groups('[serviceweaver]\ncolocate = [["shop/Tax", "shop/Cart"], ["weaver/Main", "shop/Store"]]\n')).toEqual([
      ["weaver.Main", ["weaver/Main", "shop/Store"], 2],
      ["shop.Cart", ["shop/Cart", "shop/Tax"], 2],
    ]);
  });

  it("takes [multi] replicas and per-group overrides", () => {
    expect(groups('[multi]\nreplicas = 3\ngroups."shop.Tax".replicas = 1\n').map(([name, , n]) => [name, n])).toEqual([
      ["weaver.Main", 3],
      ["shop.Cart", 3],
      ["shop.Store", 3],
      ["shop.Tax", 1],
    ]);
  });

  it("refuses unknown groups and bad counts, naming the key", () => {
    expect(() => groups('[multi]\ngroups."shop.Nope".replicas = 1\n')).toThrow(
      `${FILE}: [multi] groups."shop.Nope": no group is named shop.Nope; groups are named after their first component: "weaver.Main", "shop.Cart", "shop.Store", "shop.Tax"`,
    );
    expect(() => groups("[multi]\nreplicas = 0\n")).toThrow("[multi] replicas = 0: the replica count must be a whole number from 1 to 64");
    expect(() => groups('[multi]\ngroups."shop.Cart".replicas = 2.5\n')).toThrow('[multi] groups."shop.Cart".replicas = 2.5');
  });
});
