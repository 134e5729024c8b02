// RPC between real processes: replicas started with WEAVER_REPLICA (as a deployer would start
// them) serve their components over Unix sockets; the test process and other replicas call them
// through generated client stubs. Deadlines, cancellation, retries when a replica dies, refusals
// and frame limits, across the wire.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CancelledError, DeadlineExceededError, RemoteCallError, withDeadline, withSignal } from "@weaver/core";
import { FrameType, PROTOCOL_VERSION, encodeHello, privateSocketDir } from "@weaver/rpc";
import { DEPLOYER_PROTOCOL_VERSION } from "@weaver/runtime";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ROOT, TestProcess, stopAll } from "./support/process.js";
import {
  BANK,
  BANK_COMPONENTS,
  BANK_VERSION as VERSION,
  bankClient,
  startReplica as startSupportReplica,
  type Replica,
  type ReplicaSpec,
} from "./support/replicas.js";

const REVERSER = join(ROOT, "examples/reverser/dist/main.js");

let sockets: string;
let configDir: string;
let config: string;
let deployment = 0;

beforeAll(() => {
  sockets = privateSocketDir("weaver-mp-");
  configDir = mkdtempSync(join(tmpdir(), "weaver-mp-config-"));
  config = join(configDir, "weaver.toml");
  writeFileSync(config, '["bank/Teller"]\nbank = "Multi Bank"\nfee = 1\n');
});
afterEach(() => stopAll());
afterAll(() => {
  rmSync(sockets, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
});

/** A fresh deployment id per test, so sockets and replicas of different tests never meet. */
function newDeployment(): string {
  return `mp-${process.pid}-${deployment++}`;
}

/** Starts a replica of an app entry on a socket of this file's folder (the bank gets its config). */
function startReplica(entry: string, spec: ReplicaSpec, ready?: RegExp): Promise<Replica> {
  return startSupportReplica(sockets, entry, spec, {
    env: entry === BANK ? { SERVICEWEAVER_CONFIG: config } : {},
    ...(ready ? { ready } : {}),
  });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("the reverser example as two processes", () => {
  it("serves HTTP through Main, whose components live in the other process", async () => {
    const d = newDeployment();
    const components = await startReplica(REVERSER, { deployment: d, id: "rc", hosts: ["reverser/Reverser", "reverser/Converter"] });
    const route = [{ id: "rc", address: components.address }];
    const main = await startReplica(
      REVERSER,
      { deployment: d, id: "main", hosts: ["weaver/Main"], routes: { "reverser/Reverser": route, "reverser/Converter": route } },
      /http listener available on (127\.0\.0\.1:\d+)/,
    );
    const address = (await main.process.waitFor(/http listener available on (127\.0\.0\.1:\d+)/))[1];
    const get = async (path: string): Promise<string> => (await fetch(`http://${address}${path}`)).text();
    expect(await get("/reverse?name=abcdefg")).toBe("after reversing, name is gfedcba\n");
    expect(await get("/convert?name=abcdefg")).toBe("after converting, name is ABCDEFG\n");
    const names = Array.from({ length: 50 }, (_, i) => `name-${i}-ü`);
    const answers = await Promise.all(names.map((n) => get(`/reverse?name=${encodeURIComponent(n)}`)));
    expect(answers).toEqual(names.map((n) => `after reversing, name is ${[...n].reverse().join("")}\n`));
    // Both stop cleanly.
    expect((await main.process.stop()).code).toBe(0);
    expect((await components.process.stop()).code).toBe(0);
  });
});

describe("deadlines and cancellation across processes", () => {
  it("a deadline fails the call on time, and the callee stops waiting", async () => {
    const d = newDeployment();
    const replica = await startReplica(BANK, { deployment: d, id: "b1", hosts: BANK_COMPONENTS });
    const { client, teller } = bankClient(d, [replica]);
    try {
      expect(await teller.wait(1)).toBe("done"); // connected
      const started = Date.now();
      const e = await rejection(withDeadline(100, () => teller.wait(60_000)));
      const elapsed = Date.now() - started;
      expect(e).toBeInstanceOf(DeadlineExceededError);
      expect(elapsed).toBeGreaterThanOrEqual(95);
      expect(elapsed).toBeLessThan(600);
      // The deadline crossed the wire: the callee sees it, and a call that fits in it succeeds.
      expect(await withDeadline(2_000, () => teller.callInfo())).toEqual({ metadata: {}, hasDeadline: true });
      expect(await withDeadline(2_000, () => teller.wait(20))).toBe("done");
      // A replica drains calls in flight when told to stop; the aborted wait(60 s) is not among them.
      const stopping = Date.now();
      expect((await replica.process.stop()).code).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(3_000);
    } finally {
      client.close();
    }
  });

  it("cancelling the caller's signal cancels the callee's wait", async () => {
    const d = newDeployment();
    const replica = await startReplica(BANK, { deployment: d, id: "b1", hosts: BANK_COMPONENTS });
    const { client, teller } = bankClient(d, [replica]);
    try {
      expect(await teller.wait(1)).toBe("done");
      const controller = new AbortController();
      const call = withSignal(controller.signal, () => teller.wait(60_000));
      await new Promise((r) => setTimeout(r, 100));
      controller.abort();
      expect(await rejection(call)).toBeInstanceOf(CancelledError);
      // Control: a wait that is not cancelled holds the replica's shutdown until it is done.
      const held = teller.wait(1_500);
      await new Promise((r) => setTimeout(r, 100));
      const stopping = Date.now();
      const stopped = replica.process.stop();
      expect(await held).toBe("done"); // drained, not cut off
      expect((await stopped).code).toBe(0);
      const took = Date.now() - stopping;
      expect(took).toBeGreaterThanOrEqual(1_200);
      // Had the cancelled wait(60 s) still been running, shutdown would have waited for it (up to 10 s).
      expect(took).toBeLessThan(5_000);
    } finally {
      client.close();
    }
  });
});

describe("replicas that die", () => {
  it("retriable calls land on the healthy replica when one is killed mid-load", async () => {
    const d = newDeployment();
    const [b1, b2] = await Promise.all([
      startReplica(BANK, { deployment: d, id: "b1", hosts: BANK_COMPONENTS }),
      startReplica(BANK, { deployment: d, id: "b2", hosts: BANK_COMPONENTS }),
    ]);
    const { client, ledger, audit } = bankClient(d, [b1!, b2!]);
    try {
      let ok = 0;
      const failures: unknown[] = [];
      const until = Date.now() + 2_000;
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; Date.now() < until; i++) {
          try {
            if (i % 2 === 0) await audit.record("load");
            else expect(await ledger.balance(`acct-${w}`)).toBe(0);
            ok++;
          } catch (e) {
            failures.push(e);
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
      await new Promise((r) => setTimeout(r, 900));
      const before = ok;
      await b1!.process.stop("SIGKILL");
      await load;
      expect(failures).toEqual([]);
      expect(before).toBeGreaterThan(50);
      expect(ok).toBeGreaterThan(before + 50); // the load went on after the kill
      expect(client.replicas().find((r) => r.id === "b1")?.state).not.toBe("ready");
      // b2 is all that is left; it recorded only part of the load: b1 took its share before it died.
      const recorded = await audit.count("load");
      expect(recorded).toBeGreaterThan(0);
      expect(recorded).toBeLessThan(ok / 2 + 10);
      // b1 comes back on the same socket path (the dead process's socket file is replaced), and
      // the client connects to it again while b2 keeps serving.
      await startReplica(BANK, { deployment: d, id: "b1", hosts: BANK_COMPONENTS });
      const deadline = Date.now() + 10_000;
      while (client.replicas().find((r) => r.id === "b1")?.state !== "ready" && Date.now() < deadline) {
        await ledger.balance("again");
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(client.replicas().map((r) => r.state)).toEqual(["ready", "ready"]);
    } finally {
      client.close();
    }
  });

  it("a non-retriable call in flight to a replica that dies fails with RemoteCallError and is not sent again", async () => {
    const d = newDeployment();
    const [b1, b2] = await Promise.all([
      startReplica(BANK, { deployment: d, id: "b1", hosts: BANK_COMPONENTS }),
      startReplica(BANK, { deployment: d, id: "b2", hosts: BANK_COMPONENTS }),
    ]);
    const { client, ledger } = bankClient(d, [b1!, b2!]);
    try {
      while (!client.replicas().every((r) => r.state === "ready")) await ledger.balance("warm-up");
      // Freeze b1, so that the deposits sent to it stay in flight, then kill it.
      process.kill(-(b1!.process.child.pid as number), "SIGSTOP");
      const deposits = Array.from({ length: 10 }, (_, i) =>
        ledger.deposit(`account-${i}`, 1).then(
          (balance) => ({ i, balance }),
          (error: unknown) => ({ i, error }),
        ),
      );
      await new Promise((r) => setTimeout(r, 300));
      await b1!.process.stop("SIGKILL");
      const results = await Promise.all(deposits);
      const failed = results.filter((r) => "error" in r);
      const done = results.filter((r) => "balance" in r);
      expect(failed.length).toBeGreaterThan(0); // round-robin sent some to b1
      expect(done.length).toBeGreaterThan(0);
      for (const f of failed) {
        const error = (f as { error: unknown }).error;
        expect(error).toBeInstanceOf(RemoteCallError);
        expect(error).toMatchObject({ component: "bank/Ledger", method: "deposit", replica: "b1" });
        expect((error as Error).message).toMatch(
          /^call to bank\/Ledger\.deposit on replica b1 failed: connection to b1 .* broke while the call was in flight/,
        );
      }
      // Only b2 is left: the deposits that failed never reached it; the others did, once.
      for (const r of results) expect(await ledger.balance(`account-${r.i}`)).toBe("error" in r ? 0 : 1);
    } finally {
      client.close();
    }
  });
});

describe("refusals and limits", () => {
  it("refuses a client of another deployment or app version, with a clear RemoteCallError", async () => {
    const d = newDeployment();
    const replica = await startReplica(BANK, { deployment: d, id: "b1", hosts: BANK_COMPONENTS });
    const stranger = bankClient("another-deployment", [replica]);
    const old = bankClient(d, [replica], { version: "0000deadbeef0000" });
    try {
      const e1 = await rejection(stranger.ledger.balance("x"));
      expect(e1).toBeInstanceOf(RemoteCallError);
      expect((e1 as Error).message).toBe(
        `call to bank/Ledger.balance on replica b1 failed: replica b1 refused the connection: deployment mismatch: client is in deployment another-deployment, this server is not`,
      );
      const e2 = await rejection(old.teller.callInfo());
      expect(e2).toBeInstanceOf(RemoteCallError);
      expect((e2 as Error).message).toBe(
        `call to bank/Teller.callInfo on replica b1 failed: replica b1 refused the connection: app version mismatch: client runs version 0000deadbeef0000, this server does not`,
      );
      // The replica's own log says what it expected; the stranger was told nothing it did not know.
      expect(replica.process.stderr + replica.process.stdout).toMatch(
        new RegExp(`refused a client: deployment mismatch: client is in deployment another-deployment, server in ${d}`),
      );
    } finally {
      stranger.client.close();
      old.client.close();
    }
  });

  it("a replica routed to a replica of another deployment fails with the refusal, naming its own", async () => {
    const d = newDeployment();
    const other = await startReplica(BANK, { deployment: "elsewhere", id: "x1", hosts: BANK_COMPONENTS });
    const main = new TestProcess("node", [BANK], {
      env: {
        SERVICEWEAVER_CONFIG: config,
        WEAVER_REPLICA: JSON.stringify({
          protocol: DEPLOYER_PROTOCOL_VERSION,
          deployment: d,
          id: "main",
          hosts: ["weaver/Main"],
          routes: { "bank/Teller": [{ id: "x1", address: other.address }] },
        }),
      },
    });
    const { code } = await main.exited;
    expect(code).toBe(1);
    expect(main.stderr).toMatch(
      new RegExp(
        `call to bank/Teller\\.callInfo on replica x1 failed: replica x1 refused the connection: deployment mismatch: client is in deployment ${d}, this server is not`,
      ),
    );
  });

  it("an oversized frame closes only that connection; the client refuses requests over its own limit", async () => {
    const d = newDeployment();
    const replica = await startReplica(BANK, { deployment: d, id: "b1", hosts: BANK_COMPONENTS });
    const { client, ledger } = bankClient(d, [replica]);
    const small = bankClient(d, [replica], { maxFrameBytes: 64 * 1024 });
    try {
      expect(await ledger.deposit("alice", 5)).toBe(5);
      // A peer that has passed the handshake announces a 17 MiB frame.
      const raw = net.connect(replica.address.slice("unix:".length));
      raw.on("error", () => {});
      const closed = new Promise((r) => raw.once("close", r));
      await new Promise((r) => raw.once("connect", r));
      const body = encodeHello({ protocol: PROTOCOL_VERSION, deployment: d, version: VERSION, peer: "raw" });
      const hello = Buffer.alloc(9 + body.length);
      hello.writeUInt32BE(5 + body.length, 0);
      hello[4] = FrameType.HELLO;
      body.copy(hello, 9);
      const oversized = Buffer.alloc(9);
      oversized.writeUInt32BE(17 * 1024 * 1024, 0);
      oversized[4] = FrameType.REQUEST;
      raw.write(hello);
      await new Promise((r) => raw.once("data", r)); // WELCOME
      raw.write(oversized);
      await closed;
      await replica.process.waitFor(/closed a connection that broke the protocol: frame length 17825792 is outside 5\.\.16777216/);
      // Other clients keep working.
      expect(await ledger.deposit("alice", 5)).toBe(10);
      // A request over the client's own limit is not sent.
      const e = await rejection(small.ledger.deposit("alice", 1, "m".repeat(100_000)));
      expect(e).toBeInstanceOf(RemoteCallError);
      expect(e).toMatchObject({ component: "bank/Ledger", method: "deposit" });
      expect((e as Error).message).toMatch(
        /^call to bank\/Ledger\.deposit failed: the request is \d+ bytes, more than the client's 65536-byte frame limit allows; it was not sent$/,
      );
      expect(await small.ledger.balance("alice")).toBe(10);
      // A large request within the limits crosses fine.
      const memo = "m".repeat(1024 * 1024);
      expect(await ledger.deposit("bob", 1, memo)).toBe(1);
      expect((await ledger.history("bob"))[0]?.memo).toBe(memo);
    } finally {
      client.close();
      small.client.close();
    }
  });
});
