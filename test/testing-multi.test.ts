// The multi runner of the testing kit on the conformance app: components run in processes of
// their own, started from the app's build; fakes stay in the test's process and are called back.
import { RemoteCallError } from "@weaver/core";
import { fake, multi } from "@weaver/core/testing";
import { describe, expect, it } from "vitest";
import "./apps/conformance/src/weaver_gen.js";
import { EchoError, EchoImpl } from "./apps/conformance/src/echo.js";
import { StoreImpl } from "./apps/conformance/src/store.js";

describe("the multi runner", () => {
  it("runs components in processes of their own: a crash ends that process, not the test's", () =>
    multi.run(async (app) => {
      const echo = await app.get(EchoImpl);
      expect(await echo.echo("hi")).toBe("echo: hi");
      expect(await echo.relay("x")).toBe("relayed: saved x");
      await expect(echo.fail("boom")).rejects.toBeInstanceOf(EchoError);
      const crash = await echo.crash().catch((e: unknown) => e);
      expect(crash).toBeInstanceOf(RemoteCallError);
      expect(process.exitCode ?? 0).toBe(0);
    }));

  it("serves a fake from the test's process to the components that call it", () =>
    multi.run(
      async (app) => {
        const echo = await app.get(EchoImpl);
        expect(await echo.relay("x")).toBe("relayed: faked x");
      },
      { fakes: [fake(StoreImpl, { save: async (v) => `faked ${v}` })] },
    ));

  it("runs each group as several replicas when asked, and honours colocation", () =>
    multi.run(
      async (app) => {
        const echo = await app.get(EchoImpl);
        for (let i = 0; i < 6; i++) expect(await echo.relay(String(i))).toBe(`relayed: saved ${i}`);
      },
      { replicas: 2, config: '[serviceweaver]\ncolocate = [["conformance/Echo", "conformance/Store"]]\n' },
    ));

  it("refuses instance() and stats(), whose objects live in other processes", () =>
    multi.run(async (app) => {
      await expect(app.instance(EchoImpl)).rejects.toThrow(
        "app.instance() reaches into this process, but the multi runner runs components in processes of their own",
      );
      expect(() => app.stats()).toThrow("app.stats() reaches into this process");
    }));

  it("reports a component whose process cannot start, with its last lines", async () => {
    const app = await multi.start({ config: '[serviceweaver]\nenv = ["CONFORMANCE_HANG_INIT=1"]\ninit_timeout = "200ms"\n' });
    try {
      await expect(app.get(EchoImpl)).rejects.toThrow(
        /the process of conformance.Echo ended before it was ready: .*\n.*did not finish init\(\) within 200ms/,
      );
    } finally {
      await app.close();
    }
  });
});
