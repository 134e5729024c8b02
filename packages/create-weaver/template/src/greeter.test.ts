// The components under the three runners of the testing kit: `local` calls them directly, `rpc`
// through the generated stubs and a socket, `multi` in processes of their own (from the build).
import { fake, runners } from "@weaver/core/testing";
import { describe, expect, it } from "vitest";
import "./weaver_gen.js";
import { GreeterImpl } from "./greeter.js";
import { NamesImpl } from "./names.js";

describe.each(runners)("greeter ($name runner)", (runner) => {
  it("greets a tidied name", () =>
    runner.run(async (app) => {
      const greeter = await app.get(GreeterImpl);
      expect(await greeter.greet("  ada   LOVELACE ")).toBe("Hello, Ada Lovelace!");
      expect(await greeter.greet("")).toBe("Hello, World!");
    }));

  it("uses a fake in place of a component", () =>
    runner.run(async (app) => expect(await (await app.get(GreeterImpl)).greet("x")).toBe("Hello, fake!"), {
      fakes: [fake(NamesImpl, { tidy: async () => "fake" })],
    }));
});
