// The call graph the CLI prints, the status shows and mutual TLS enforces: one function of the manifest.
import { describe, expect, it } from "vitest";
import { CODEGEN_VERSION } from "../version.js";
import { calleesOf, callGraphOf } from "./call-graph.js";
import type { ComponentManifest, Manifest } from "./manifest.js";

const component = (name: string): ComponentManifest => ({
  name,
  short: "",
  impl: "Impl",
  source: "x.ts",
  methods: [],
  refs: [],
  listeners: [],
  config: null,
});

const manifest: Manifest = {
  app: "shop",
  codegenVersion: CODEGEN_VERSION,
  versionHash: "v1",
  components: ["shop/Cart", "shop/Catalog", "shop/Pay", "weaver/Main"].map(component),
  callGraph: [
    ["shop/Cart", "shop/Catalog"],
    ["weaver/Main", "shop/Pay"],
    ["weaver/Main", "shop/Cart"],
    ["weaver/Main", "shop/Cart"], // twice
    ["shop/Pay", "shop/Pay"], // to itself
    ["shop/Cart", "shop/Gone"], // not a component
  ],
};

describe("callGraphOf", () => {
  it("lists components Main first with short names, and each edge once, sorted, between known components", () => {
    expect(callGraphOf(manifest)).toEqual({
      app: "shop",
      version: "v1",
      components: [
        { name: "weaver/Main", short: "weaver.Main" },
        { name: "shop/Cart", short: "shop.Cart" },
        { name: "shop/Catalog", short: "shop.Catalog" },
        { name: "shop/Pay", short: "shop.Pay" },
      ],
      edges: [
        ["weaver/Main", "shop/Cart"],
        ["weaver/Main", "shop/Pay"],
        ["shop/Cart", "shop/Catalog"],
      ],
    });
  });

  it("gives the callees of a set of callers, as a group's members are", () => {
    const graph = callGraphOf(manifest);
    expect([...calleesOf(graph, ["weaver/Main"])].sort()).toEqual(["shop/Cart", "shop/Pay"]);
    expect([...calleesOf(graph, ["weaver/Main", "shop/Cart"])].sort()).toEqual(["shop/Cart", "shop/Catalog", "shop/Pay"]);
    expect([...calleesOf(graph, ["shop/Catalog"])]).toEqual([]);
  });
});
