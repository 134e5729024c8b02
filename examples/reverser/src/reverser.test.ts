// Tests of the example's components under the three runners of the testing kit: `local` calls
// the implementations directly; `rpc` sends every call through the generated stubs and msgpackr;
// `multi` runs each component in a process of its own, from the app's build.
import { describe, expect, it } from "vitest";
import { fake, runners } from "@weaver/core/testing";
import "./weaver_gen.js";
import { ConverterImpl } from "./converter.js";
import { ReverserImpl } from "./reverser.js";

describe.each(runners)("reverser example ($name runner)", (runner) => {
  it("reverses strings, code point by code point", () =>
    runner.run(async (app) => {
      const reverser = await app.get(ReverserImpl);
      expect(await reverser.reverse("abcdefg")).toBe("gfedcba");
      expect(await reverser.reverse("héllo, 👋")).toBe("👋 ,olléh");
      expect(await reverser.reverse("")).toBe("");
    }));

  it("converts strings to upper case", () =>
    runner.run(async (app) => {
      const converter = await app.get(ConverterImpl);
      expect(await converter.toUpper("abcdefg")).toBe("ABCDEFG");
    }));

  // app.stats() counts what this process served: the multi runner serves in other processes.
  it.skipIf(runner.name === "multi")("counts the calls each component served", () =>
    runner.run(async (app) => {
      const reverser = await app.get(ReverserImpl);
      await reverser.reverse("a");
      await reverser.reverse("b");
      const stats = app.stats().find((s) => s.component === "reverser/Reverser" && s.method === "reverse");
      // The rpc runner runs each retriable call twice, to expose methods that are not idempotent.
      expect(stats?.calls).toBe(runner.name === "rpc" ? 4 : 2);
      expect(stats?.errors).toBe(0);
    }),
  );

  it("lets a fake stand in for a component", () =>
    runner.run(
      async (app) => {
        const converter = await app.get(ConverterImpl);
        expect(await converter.toUpper("x")).toBe("fake X");
      },
      { fakes: [fake(ConverterImpl, { toUpper: async (s) => `fake ${s.toUpperCase()}` })] },
    ));
});
