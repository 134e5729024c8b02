// A process may load two copies of @weaver/runtime (two versions of a package that depends on it,
// or a bundle beside node_modules). The state that must be one per process is shared between
// copies: what generated code registers through one copy, run() finds through the other, and a
// call context set through one is seen through the other.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CODEGEN_VERSION, registerApp } from "@weaver/runtime/codegen";
import * as first from "@weaver/runtime/core";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/process.js";

// The second copy sits inside the repository, so that its own dependencies resolve.
const copy = mkdtempSync(join(ROOT, "packages", ".tmp-runtime-copy-"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));
cpSync(join(ROOT, "packages/runtime/dist"), join(copy, "dist"), { recursive: true });
writeFileSync(join(copy, "package.json"), JSON.stringify({ name: "@weaver/runtime", type: "module" }));
const second = (await import(pathToFileURL(join(copy, "dist/core.js")).href)) as typeof first;

describe("two copies of @weaver/runtime in one process", () => {
  it("are two module instances", () => {
    expect(second.getComponent).not.toBe(first.getComponent);
  });

  it("share one registry of generated code", () => {
    const manifest = {
      app: "twocopies",
      codegenVersion: CODEGEN_VERSION,
      versionHash: "two-copies",
      components: [
        {
          name: "twocopies/Thing",
          short: "twocopies.Thing",
          impl: "ThingImpl",
          source: "src/thing.ts",
          methods: [],
          refs: [],
          listeners: [],
          config: null,
        },
      ],
      callGraph: [],
    };
    class ThingImpl {}
    registerApp({
      codegenVersion: manifest.codegenVersion,
      manifest: JSON.stringify(manifest),
      components: [
        {
          name: "twocopies/Thing",
          impl: ThingImpl,
          structures: [],
          localStub: (i) => i,
          clientStub: () => ({}),
          serverStub: () => [],
          checks: [],
        },
      ],
    });
    expect(second.getComponent("twocopies/Thing").registration.impl).toBe(ThingImpl);
    expect(second.findComponentByImpl(ThingImpl)?.manifest.name).toBe("twocopies/Thing");
  });

  it("share the call context", async () => {
    await first.withMetadata({ user: "ada" }, async () => expect(second.context().metadata).toEqual({ user: "ada" }));
    await second.withDeadline(1_000, async () => expect(first.context().deadline).toBeGreaterThan(Date.now()));
  });
});
