// The testing kit (@weaver/core/testing) on a test app whose components refer to each other:
// both runners, fakes, config with secrets, errors across the stubs, deadlines, metadata,
// injected retries and lifecycle order.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeadlineExceededError, RemoteCallError, withDeadline, withMetadata } from "@weaver/core";
import { fake, local, rpc, runners, type TestApp } from "@weaver/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import "./apps/bank/src/weaver_gen.js";
import { AuditImpl } from "./apps/bank/src/audit.js";
import { LedgerImpl, type Ledger } from "./apps/bank/src/ledger.js";
import { lifecycle } from "./apps/bank/src/lifecycle.js";
import { InsufficientFunds, TellerImpl } from "./apps/bank/src/teller.js";

const CONFIG = '["bank/Teller"]\nbank = "Weaver Savings"\nfee = 1\n';

describe.each(runners)("testing kit, $name runner", (runner) => {
  it("calls components through refs and returns plain data intact", () =>
    runner.run(
      async (app) => {
        const ledger = await app.get(LedgerImpl);
        const teller = await app.get(TellerImpl);
        await ledger.deposit("alice", 100, "salary");
        const receipt = await teller.pay("alice", "bob", 30);
        expect(receipt).toEqual({ from: "alice", to: "bob", amount: 30, fee: 1, bank: "Weaver Savings" });
        expect(await ledger.balance("alice")).toBe(69);
        const [first] = await ledger.history("alice");
        expect(first?.at).toBeInstanceOf(Date);
        expect(first?.tags).toEqual(new Set(["credit"]));
        expect(first?.memo).toBe("salary");
        expect(await ledger.balances()).toEqual(
          new Map([
            ["alice", 69n],
            ["bob", 30n],
          ]),
        );
      },
      { config: CONFIG },
    ));

  it("re-throws application errors with their class and fields", () =>
    runner.run(
      async (app) => {
        const teller = await app.get(TellerImpl);
        const err = await teller.pay("nobody", "bob", 5).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InsufficientFunds);
        expect(err).toMatchObject({ name: "InsufficientFunds", account: "nobody", missing: 6, message: "account nobody is short of 6" });
        expect(err).not.toBeInstanceOf(RemoteCallError);
      },
      { config: CONFIG },
    ));

  it("carries deadlines and metadata to the callee", () =>
    runner.run(
      async (app) => {
        const teller = await app.get(TellerImpl);
        await expect(withDeadline(50, () => teller.wait(5_000))).rejects.toBeInstanceOf(DeadlineExceededError);
        expect(await withDeadline(5_000, () => teller.wait(1))).toBe("done");
        const info = await withMetadata({ user: "carol" }, () => withDeadline(1_000, () => teller.callInfo()));
        expect(info).toEqual({ metadata: { user: "carol" }, hasDeadline: true });
        // Remote calls without a deadline get the client's default one (30 s); local calls get none.
        expect(await teller.callInfo()).toEqual({ metadata: {}, hasDeadline: runner.name !== "local" });
      },
      { config: CONFIG },
    ));

  it("replaces a component with a fake", () =>
    runner.run(
      async (app) => {
        const teller = await app.get(TellerImpl);
        await expect(teller.pay("alice", "bob", 10)).resolves.toMatchObject({ amount: 10 });
        expect(deposits).toEqual(["alice:-10", "bob:10"]);
      },
      { config: '["bank/Teller"]\nbank = "b"\n', fakes: [fake(LedgerImpl, fakeLedger())] },
    ));

  it("resolves secret references in config inside the process, and checks config types", async () => {
    process.env["BANK_TOKEN_TEST"] = "s3cret";
    await runner.run(
      async (app) => {
        const teller = await app.get(TellerImpl);
        expect(await teller.checkToken("s3cret")).toBe(true);
      },
      { config: '["bank/Teller"]\nbank = "b"\ntoken = "${env:BANK_TOKEN_TEST}"\n' },
    );
    await expect(runner.start({ config: '["bank/Teller"]\nbank = 3\n' })).rejects.toThrow(
      '["bank/Teller"] bank: expected string, found integer',
    );
    const app = await runner.start({ config: '["bank/Teller"]\nbank = "b"\ntoken = "${env:BANK_TOKEN_UNSET}"\n' });
    await expect(app.get(TellerImpl)).rejects.toThrow(
      "environment variable BANK_TOKEN_UNSET (referenced as ${env:BANK_TOKEN_UNSET}) is not set",
    );
    await app.close();
  });
});

const deposits: string[] = [];
/** A Ledger fake; the compiler checks it against the interface. */
function fakeLedger(): Ledger {
  deposits.length = 0;
  return {
    deposit: async (account, amount) => {
      deposits.push(`${account}:${amount}`);
      return 0;
    },
    balance: async () => 1_000,
    history: async () => [],
    balances: async () => new Map(),
  };
}

describe("rpc runner", () => {
  it("runs retriable methods twice and non-retriable ones once", async () => {
    for (const [runner, expected] of [
      [local, 1],
      [rpc, 2],
    ] as const) {
      await runner.run(
        async (app) => {
          const ledger = await app.get(LedgerImpl);
          await ledger.deposit("dave", 10); // non-retriable: never repeated
          await (await app.get(TellerImpl)).pay("dave", "erin", 1);
          expect(await ledger.balance("dave")).toBe(9);
          expect(await (await app.instance(AuditImpl)).count("pay")).toBe(expected);
        },
        { config: '["bank/Teller"]\nbank = "b"\n' },
      );
    }
  });

  it("adds to a failing test's error which methods ran twice, and the notRetriable tag", async () => {
    // Audit.record is retriable, but not safe to run twice: the count comes out one too many.
    const body = async (app: TestApp): Promise<void> => {
      await (await app.get(AuditImpl)).record("refund");
      expect(await (await app.get(AuditImpl)).count("refund")).toBe(1);
    };
    const failure = (await rpc.run(body).catch((e: unknown) => e)) as Error;
    expect(failure.message).toBe(
      "expected 2 to be 1 // Object.is equality\n\n" +
        "The rpc runner ran each retriable call twice in this test, as a retry after a lost connection may run it: " +
        "Audit.record (1 call), Audit.count (1 call). If the failure comes from a method that is not safe to run twice, " +
        "make it idempotent, or tag it `@weaver notRetriable` in its interface's doc comment and run `weaver generate`.",
    );
    expect(failure.stack).toContain("tag it `@weaver notRetriable`");
    // The local runner runs each call once: the same body passes.
    await local.run(body);
  });

  it("reports values that cannot be encoded as RemoteCallError naming the component and method", () =>
    rpc.run(async (app) => {
      const audit = await app.get(AuditImpl);
      const err = await audit.record(Symbol("not data") as unknown as string).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteCallError);
      expect((err as RemoteCallError).message).toMatch(/^call to bank\/Audit\.record failed: /);
    }));
});

describe("lifecycle", () => {
  it("initializes components after the ones they refer to and shuts down in reverse", async () => {
    lifecycle.length = 0;
    await local.run(async (app) => void (await app.get(TellerImpl)), { config: '["bank/Teller"]\nbank = "b"\n' });
    expect(lifecycle).toEqual(["init Ledger", "init Teller (ledger balance 0)", "shutdown Teller", "shutdown Ledger"]);
  });
});

const tmp = mkdtempSync(join(tmpdir(), "weaver-kit-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("config from files", () => {
  it("reads ${file:...} secrets", async () => {
    const file = join(tmp, "token");
    writeFileSync(file, "from-file\n");
    await local.run(async (app) => expect(await (await app.get(TellerImpl)).checkToken("from-file")).toBe(true), {
      config: `["bank/Teller"]\nbank = "b"\ntoken = "\${file:${file}}"\n`,
    });
  });
});
