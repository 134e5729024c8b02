// RpcClient against real servers over Unix sockets: balancing, replica set changes, waiting,
// reconnecting, retries, refusals, deadlines, cancellation and size limits.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RpcClient } from "./client.js";
import { RpcAppError, RpcError, RpcSystemError } from "./errors.js";
import { Cleanup, echo, gate, newClient, socketDir, startServer, until } from "./harness.test.util.js";
import { SystemCode } from "./protocol.js";
import type { RpcServer, CallInfo, Handler } from "./server.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const RETRIABLE = { retriable: true };
const ONCE = { retriable: false };

/** Starts `n` replicas r0..r(n-1) that count the calls they serve. */
async function replicas(n: number, handler: (replica: string) => Handler = () => echo, dir = socketDir(cleanup)) {
  const served: Record<string, number> = {};
  const list = [];
  for (let i = 0; i < n; i++) {
    const id = `r${i}`;
    served[id] = 0;
    const inner = handler(id);
    const { server, path } = await startServer(
      cleanup,
      dir,
      (p, c) => {
        served[id]!++;
        return inner(p, c);
      },
      { id },
    );
    list.push({ id, server, path, address: { path } });
  }
  return { served, list, dir };
}

async function rejection(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(e).toBeInstanceOf(RpcError);
  return e as RpcError;
}

describe("calls", () => {
  it("carry payload, metadata, trace context and deadline, and bring back the result", async () => {
    const seen: CallInfo[] = [];
    const { list } = await replicas(1, () => async (p, call) => {
      seen.push(call);
      return Buffer.concat([p.bytes, Buffer.from("!")]);
    });
    const client = newClient(cleanup);
    client.setReplicas(list);
    const deadline = Date.now() + 2_000;
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const result = await client.call(0x10002, Buffer.from("hello"), { ...RETRIABLE, deadline, traceparent, metadata: { k: "v" } });
    expect(result.toString()).toBe("hello!");
    expect(seen[0]).toMatchObject({ method: 0x10002, traceparent, metadata: { k: "v" }, peer: "client" });
    expect(Math.abs(seen[0]!.deadline! - deadline)).toBeLessThan(50);
    expect(client.replicas()).toEqual([{ id: "r0", state: "ready", outstanding: 0 }]);
  });

  it("reject with RpcAppError carrying the encoded application error", async () => {
    const { list } = await replicas(1, () => async () => {
      throw new RpcAppError(Buffer.from("app failure"));
    });
    const client = newClient(cleanup);
    client.setReplicas(list);
    const e = await client.call(1, Buffer.alloc(0), RETRIABLE).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RpcAppError);
    expect(Buffer.from((e as RpcAppError).payload).toString()).toBe("app failure");
  });

  it("take a system error that says the method did not run to another replica, and no other", async () => {
    const { list, served } = await replicas(2, (id) => async (p) => {
      const what = p.bytes.toString();
      if (what === "drain" && id === "r0") throw new RpcSystemError(SystemCode.SHUTTING_DOWN, "draining");
      if (what === "unknown") throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, "no such method");
      return Buffer.from(id);
    });
    const client = newClient(cleanup);
    client.setReplicas(list);
    // Round-robin sends the first call to r0, which turns it away; r1 runs it, even non-retriable.
    expect((await client.call(1, Buffer.from("drain"), ONCE)).toString()).toBe("r1");
    expect(served).toEqual({ r0: 1, r1: 1 });
    const e = await rejection(client.call(1, Buffer.from("unknown"), RETRIABLE));
    expect(e).toMatchObject({ kind: "system", code: SystemCode.UNKNOWN_METHOD, message: expect.stringMatching(/no such method/) });
    expect(served["r0"]! + served["r1"]!).toBe(3); // sent once
  });

  it("refuse metadata that is not strings without sending anything", async () => {
    const { list, served } = await replicas(1);
    const client = newClient(cleanup);
    client.setReplicas(list);
    const e = await rejection(client.call(1, Buffer.alloc(0), { ...RETRIABLE, metadata: { n: 5 as unknown as string } }));
    expect(e.kind).toBe("invalid");
    expect(served["r0"]).toBe(0);
    expect((await client.call(1, Buffer.from("fine"), RETRIABLE)).toString()).toBe("fine");
  });
});

describe("balancing", () => {
  it("round-robin spreads sequential calls evenly", async () => {
    const { list, served } = await replicas(3);
    const client = newClient(cleanup, { balancer: "round-robin" });
    client.setReplicas(list);
    for (let i = 0; i < 30; i++) await client.call(1, Buffer.alloc(0), RETRIABLE); // connect every replica
    for (const id of Object.keys(served)) served[id] = 0;
    for (let i = 0; i < 300; i++) await client.call(1, Buffer.alloc(0), RETRIABLE);
    expect(served).toEqual({ r0: 100, r1: 100, r2: 100 });
  });

  it.each(["least-outstanding", "power-of-two"] as const)("%s keeps calls away from a replica that is stuck", async (balancer) => {
    const stuck = gate();
    const { list, served } = await replicas(3, (id) => async (p) => {
      if (id === "r0" && p.bytes.toString() === "load") await stuck.promise;
      return p;
    });
    const client = newClient(cleanup, { balancer });
    client.setReplicas(list);
    for (let i = 0; i < 30; i++) await client.call(1, Buffer.alloc(0), RETRIABLE); // connect every replica
    for (const id of Object.keys(served)) served[id] = 0;
    // Twenty concurrent callers, 600 calls: r0 never answers, so its outstanding count only grows.
    let next = 0;
    const calls: Promise<Buffer>[] = [];
    const worker = async (): Promise<void> => {
      while (next++ < 600) {
        const call = client.call(1, Buffer.from("load"), RETRIABLE);
        calls.push(call);
        // Do not wait for calls stuck on r0 forever: move on once this one is fast or clearly stuck.
        await Promise.race([call, new Promise((r) => setTimeout(r, 5))]);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const r0 = served["r0"]!;
    // Round-robin would send 200 calls to r0.
    expect(r0).toBeLessThan(60);
    expect(served["r1"]! + served["r2"]!).toBe(600 - r0);
    expect(Math.abs(served["r1"]! - served["r2"]!)).toBeLessThan(200);
    stuck.open();
    await Promise.all(calls);
  });
});

describe("the replica set", () => {
  it("can grow and shrink at any time; removed replicas finish their calls, then close", async () => {
    const hold = gate();
    const { list, served } = await replicas(3, () => async (p) => {
      if (p.bytes.toString() === "slow") await hold.promise;
      return p;
    });
    const [r0, r1, r2] = list as [(typeof list)[0], (typeof list)[0], (typeof list)[0]];
    const client = newClient(cleanup);
    client.setReplicas([r0]);
    const slow = client.call(1, Buffer.from("slow"), ONCE);
    slow.catch(() => {}); // awaited below; a failure before then must not be reported twice
    await until(() => r0.server.stats.inFlight === 1);
    client.setReplicas([r1, r2]); // r0 leaves with a call in flight
    expect(client.replicas().map((r) => r.id)).toEqual(["r1", "r2"]);
    while (!client.replicas().every((r) => r.state === "ready")) await client.call(1, Buffer.from("x"), RETRIABLE);
    served["r1"] = served["r2"] = 0;
    for (let i = 0; i < 20; i++) await client.call(1, Buffer.from("x"), RETRIABLE);
    expect(served).toEqual({ r0: 1, r1: 10, r2: 10 });
    expect(r0.server.stats.open).toBe(1); // still open for the call in flight
    hold.open();
    expect((await slow).toString()).toBe("slow");
    await until(() => r0.server.stats.open === 0, 2_000, "r0's connection to close");
    client.setReplicas([r1]);
    await until(() => r2.server.stats.open === 0, 2_000, "idle r2's connection to close");
    for (let i = 0; i < 5; i++) await client.call(1, Buffer.from("x"), RETRIABLE);
    expect(served["r1"]).toBe(15);
    client.setReplicas([r1, r2, r0]);
    for (let i = 0; i < 30; i++) await client.call(1, Buffer.from("x"), RETRIABLE);
    expect(served["r0"]! + served["r2"]!).toBeGreaterThan(1 + 10);
  });

  it("connects a replica that comes (back) up while others serve, and spreads calls to it", async () => {
    const dir = socketDir(cleanup);
    const { list, served } = await replicas(1, undefined, dir);
    const laterPath = join(dir, "later.sock");
    const client = newClient(cleanup);
    client.setReplicas([...list, { id: "later", address: { path: laterPath } }]);
    for (let i = 0; i < 20; i++) await client.call(1, Buffer.alloc(0), RETRIABLE);
    expect(served["r0"]).toBe(20);
    let later = 0;
    await startServer(
      cleanup,
      dir,
      async (p) => {
        later++;
        return p;
      },
      { id: "later" },
    );
    const started = Date.now();
    while (later === 0 && Date.now() - started < 5_000) {
      await client.call(1, Buffer.alloc(0), RETRIABLE);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(later).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) await client.call(1, Buffer.alloc(0), RETRIABLE);
    expect(later).toBeGreaterThanOrEqual(10);
  });

  it("a call waits for a replica that comes up before its deadline", async () => {
    const dir = socketDir(cleanup);
    const path = join(dir, "late.sock");
    const client = newClient(cleanup);
    client.setReplicas([{ id: "late", address: { path } }]);
    const call = client.call(1, Buffer.from("waited"), { ...ONCE, deadline: Date.now() + 3_000 });
    await new Promise((r) => setTimeout(r, 300));
    await startServer(cleanup, dir, echo, { id: "late" });
    expect((await call).toString()).toBe("waited");
  });

  it("a call waits for the replica set to name a replica", async () => {
    const { list } = await replicas(1);
    const client = newClient(cleanup);
    const call = client.call(1, Buffer.from("x"), { ...ONCE, deadline: Date.now() + 3_000 });
    await new Promise((r) => setTimeout(r, 100));
    client.setReplicas(list);
    expect((await call).toString()).toBe("x");
  });

  it("fails with unavailable, saying why, when no replica can be reached before the deadline", async () => {
    const client = newClient(cleanup);
    const started = Date.now();
    const none = await rejection(client.call(1, Buffer.alloc(0), { ...RETRIABLE, deadline: Date.now() + 100 }));
    expect(none).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/no replicas/) });
    client.setReplicas([{ id: "ghost", address: { path: join(socketDir(cleanup), "ghost.sock") } }]);
    const e = await rejection(client.call(1, Buffer.alloc(0), { ...RETRIABLE, deadline: Date.now() + 300 }));
    expect(e).toMatchObject({ kind: "unavailable", endpoint: "ghost", message: expect.stringMatching(/before the deadline.*ENOENT/) });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("reconnects to a replica restarted on the same socket path", async () => {
    const dir = socketDir(cleanup);
    const first = await startServer(cleanup, dir, async () => Buffer.from("first"), { id: "r" });
    const client = newClient(cleanup);
    client.setReplicas([{ id: "r", address: { path: first.path } }]);
    expect((await client.call(1, Buffer.alloc(0), ONCE)).toString()).toBe("first");
    await first.server.close();
    await until(() => client.replicas()[0]?.state === "closed");
    await startServer(cleanup, dir, async () => Buffer.from("second"), { id: "r" });
    expect((await client.call(1, Buffer.alloc(0), { ...ONCE, deadline: Date.now() + 3_000 })).toString()).toBe("second");
  });

  it("never sends calls to a replica that refused the handshake", async () => {
    const dir = socketDir(cleanup);
    const good = await startServer(cleanup, dir, echo, { id: "good" });
    let strangerCalls = 0;
    const stranger = await startServer(
      cleanup,
      dir,
      async (p) => {
        strangerCalls++;
        return p;
      },
      {
        id: "stranger",
        deployment: "another-deployment",
      },
    );
    const client = newClient(cleanup);
    client.setReplicas([
      { id: "stranger", address: { path: stranger.path } },
      { id: "good", address: { path: good.path } },
    ]);
    for (let i = 0; i < 50; i++) await client.call(1, Buffer.alloc(0), RETRIABLE);
    await until(() => client.replicas().find((r) => r.id === "stranger")?.state === "refused");
    for (let i = 0; i < 50; i++) await client.call(1, Buffer.alloc(0), ONCE);
    expect(strangerCalls).toBe(0);
    expect(stranger.server.stats.refused).toBe(1); // refused once, never retried
    expect(good.server.stats.calls).toBe(100);
  });

  it.each([
    ["deployment", { deployment: "another-deployment" }, /deployment mismatch: client is in deployment dep-test, this server is not/],
    ["app version", { version: "v-new" }, /app version mismatch: client runs version v-test, this server does not/],
  ])("fails with refused, saying why, when the only replica is of another %s", async (_what, serverOptions, reason) => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "other", ...serverOptions });
    const client = newClient(cleanup);
    client.setReplicas([{ id: "other", address: { path } }]);
    const e = await rejection(client.call(1, Buffer.alloc(0), RETRIABLE));
    expect(e).toMatchObject({ kind: "refused", endpoint: "other" });
    expect(e.message).toMatch(reason);
    expect(e.message).toMatch(/replica other refused the connection/);
    expect(server.stats).toMatchObject({ refused: 1, calls: 0 });
    // Final: the next call is refused at once, without a new connection.
    await rejection(client.call(1, Buffer.alloc(0), RETRIABLE));
    expect(server.stats.accepted).toBe(1);
  });
});

describe("retries", () => {
  /** Two replicas; r0 breaks the connection of every "break" call it gets. */
  async function breaking(): Promise<{ client: RpcClient; served: Record<string, number>; r0: RpcServer }> {
    const servers: RpcServer[] = [];
    const { list, served } = await replicas(2, (id) => async (p) => {
      if (id === "r0" && p.bytes.toString() === "break") {
        void servers[0]!.close();
        return new Promise(() => {});
      }
      return Buffer.from(id);
    });
    servers.push(list[0]!.server);
    const client = newClient(cleanup);
    client.setReplicas(list);
    return { client, served, r0: list[0]!.server };
  }

  it("a retriable call whose connection breaks mid-call runs again on another replica", async () => {
    const { client, served } = await breaking();
    expect((await client.call(1, Buffer.from("break"), RETRIABLE)).toString()).toBe("r1");
    expect(served).toEqual({ r0: 1, r1: 1 });
  });

  it("a non-retriable call whose connection breaks mid-call fails with connection, and is not sent again", async () => {
    const { client, served } = await breaking();
    const e = await rejection(client.call(1, Buffer.from("break"), ONCE));
    expect(e).toMatchObject({ kind: "connection", endpoint: "r0", message: expect.stringMatching(/broke while the call was in flight/) });
    expect(served).toEqual({ r0: 1, r1: 0 });
  });

  it("move to another replica when one drains (GOAWAY), while its calls in flight finish", async () => {
    const hold = gate();
    const { list, served } = await replicas(2, (id) => async (p) => {
      if (p.bytes.toString() === "slow") await hold.promise;
      return Buffer.from(id);
    });
    const client = newClient(cleanup);
    client.setReplicas(list);
    const slow = client.call(1, Buffer.from("slow"), ONCE); // round-robin: r0
    await until(() => list[0]!.server.stats.inFlight === 1);
    const drained = list[0]!.server.drain();
    await until(() => client.replicas()[0]?.state === "draining");
    for (let i = 0; i < 10; i++) expect((await client.call(1, Buffer.from("x"), ONCE)).toString()).toBe("r1");
    hold.open();
    expect((await slow).toString()).toBe("r0");
    await drained;
    expect(list[0]!.server.stats).toMatchObject({ open: 0, turnedAway: 0 });
    expect(served).toEqual({ r0: 1, r1: 10 });
  });

  it("stop when the client closes, instead of waiting for the deadline", async () => {
    const client = newClient(cleanup);
    client.setReplicas([{ id: "ghost", address: { path: join(socketDir(cleanup), "none.sock") } }]);
    const call = client.call(1, Buffer.alloc(0), { ...RETRIABLE, deadline: Date.now() + 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    client.close();
    const e = await rejection(call);
    expect(e.message).toMatch(/client is closed/);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe("deadlines and cancellation", () => {
  /** A replica whose handler waits until its signal aborts, recording when and why. */
  async function waiting(): Promise<{ client: RpcClient; server: RpcServer; aborts: { at: number; reason: unknown }[] }> {
    const aborts: { at: number; reason: unknown }[] = [];
    const { list } = await replicas(
      1,
      () => (_p, call) =>
        new Promise((resolve) => {
          call.signal.addEventListener("abort", () => {
            aborts.push({ at: Date.now(), reason: call.signal.reason });
            resolve(Buffer.from("aborted"));
          });
        }),
    );
    const client = newClient(cleanup);
    client.setReplicas(list);
    await client.call(1, Buffer.alloc(0), { ...ONCE, deadline: Date.now() + 1 }).catch(() => {}); // connect
    return { client, server: list[0]!.server, aborts };
  }

  it("a call with a deadline fails on time and the server's handler is cancelled", async () => {
    const { client, server, aborts } = await waiting();
    await until(() => server.stats.inFlight === 0);
    aborts.length = 0;
    const cancelledBefore = server.stats.cancelled;
    const started = Date.now();
    const e = await rejection(client.call(1, Buffer.alloc(0), { ...ONCE, deadline: started + 150 }));
    const elapsed = Date.now() - started;
    expect(e.kind).toBe("deadline");
    expect(elapsed).toBeGreaterThanOrEqual(145);
    expect(elapsed).toBeLessThan(230); // not a sweep period late
    await until(() => aborts.length === 1);
    expect(aborts[0]!.at - started).toBeLessThan(260);
    // The client's CANCEL or the server's own sweep, whichever came first, aborted it.
    expect(
      server.stats.cancelled -
        cancelledBefore +
        (aborts[0]!.reason instanceof DOMException && (aborts[0]!.reason as DOMException).name === "TimeoutError" ? 1 : 0),
    ).toBe(1);
  });

  it("calls without a deadline get defaultTimeoutMs", async () => {
    const seen: CallInfo[] = [];
    const { list } = await replicas(1, () => (_p, call) => {
      seen.push(call);
      return new Promise(() => {});
    });
    const client = newClient(cleanup, { defaultTimeoutMs: 200 });
    client.setReplicas(list);
    const started = Date.now();
    const e = await rejection(client.call(1, Buffer.alloc(0), RETRIABLE));
    expect(e.kind).toBe("deadline");
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(Date.now() - started).toBeLessThan(500);
    expect(seen[0]!.deadline! - started).toBeGreaterThan(100);
    expect(seen[0]!.deadline! - started).toBeLessThanOrEqual(260);
  });

  it("a call whose deadline has passed fails at once, unsent", async () => {
    const { list, served } = await replicas(1);
    const client = newClient(cleanup);
    client.setReplicas(list);
    const e = await rejection(client.call(1, Buffer.alloc(0), { ...RETRIABLE, deadline: Date.now() - 1 }));
    expect(e.kind).toBe("deadline");
    expect(served["r0"]).toBe(0);
  });

  it("a far deadline neither overflows timers nor loses the deadline on the wire", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on("warning", onWarning);
    cleanup.add(() => process.off("warning", onWarning));
    const seen: CallInfo[] = [];
    const { list } = await replicas(1, () => async (p, call) => {
      seen.push(call);
      return p;
    });
    const client = newClient(cleanup);
    client.setReplicas(list);
    const farAway = Date.now() + 40 * 24 * 3600 * 1000;
    await client.call(1, Buffer.alloc(0), { ...RETRIABLE, deadline: farAway });
    expect(Math.abs(seen[0]!.deadline! - farAway)).toBeLessThan(1_000);
    // Waiting for an unreachable replica with a far deadline waits, it does not spin.
    const ghost = newClient(cleanup);
    ghost.setReplicas([{ id: "ghost", address: { path: join(socketDir(cleanup), "none.sock") } }]);
    const controller = new AbortController();
    const call = ghost.call(1, Buffer.alloc(0), { ...RETRIABLE, deadline: farAway, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    expect((await rejection(call)).kind).toBe("cancelled");
    await new Promise((r) => setImmediate(r));
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });

  it("the caller's signal cancels the call here and on the server", async () => {
    const { client, server, aborts } = await waiting();
    await until(() => server.stats.inFlight === 0);
    aborts.length = 0;
    const cancelledBefore = server.stats.cancelled;
    const controller = new AbortController();
    const call = client.call(1, Buffer.alloc(0), { ...ONCE, signal: controller.signal });
    await until(() => server.stats.inFlight === 1);
    controller.abort();
    const e = await rejection(call);
    expect(e.kind).toBe("cancelled");
    await until(() => aborts.length === 1);
    expect(server.stats.cancelled).toBe(cancelledBefore + 1);
    // A signal that aborts with a timeout reason counts as a deadline.
    const timeout = new AbortController();
    const timed = client.call(1, Buffer.alloc(0), { ...ONCE, signal: timeout.signal });
    await until(() => server.stats.inFlight === 1);
    timeout.abort(new DOMException("too slow", "TimeoutError"));
    expect((await rejection(timed)).kind).toBe("deadline");
    // An already aborted signal fails at once.
    expect((await rejection(client.call(1, Buffer.alloc(0), { ...ONCE, signal: AbortSignal.abort() }))).kind).toBe("cancelled");
  });
});

describe("size limits", () => {
  it("a request over the client's own limit is refused with too-large, unsent", async () => {
    const { list, served } = await replicas(1);
    const client = newClient(cleanup, { maxFrameBytes: 64 * 1024 });
    client.setReplicas(list);
    const e = await rejection(client.call(1, Buffer.alloc(64 * 1024), RETRIABLE));
    expect(e).toMatchObject({ kind: "too-large", message: expect.stringMatching(/the client's 65536-byte frame limit/) });
    expect(served["r0"]).toBe(0);
    expect((await client.call(1, Buffer.alloc(60 * 1024), RETRIABLE)).length).toBe(60 * 1024);
  });

  it("a request over the server's smaller limit is refused with too-large, keeping the connection", async () => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "small", maxFrameBytes: 8 * 1024 });
    const client = newClient(cleanup);
    client.setReplicas([{ id: "small", address: { path } }]);
    expect((await client.call(1, Buffer.alloc(4 * 1024), RETRIABLE)).length).toBe(4 * 1024);
    const e = await rejection(client.call(1, Buffer.alloc(10 * 1024), RETRIABLE));
    expect(e).toMatchObject({ kind: "too-large", message: expect.stringMatching(/replica small's 8192-byte/) });
    expect(server.stats).toMatchObject({ protocolErrors: 0, open: 1, accepted: 1 });
  });

  it("a result over the client's limit fails that call only, with a system error", async () => {
    const { list } = await replicas(1, () => async (p) => (p.bytes.toString() === "big" ? Buffer.alloc(100 * 1024) : p));
    const client = newClient(cleanup, { maxFrameBytes: 64 * 1024 });
    client.setReplicas(list);
    const e = await rejection(client.call(1, Buffer.from("big"), RETRIABLE));
    expect(e).toMatchObject({ kind: "system", code: SystemCode.INTERNAL, message: expect.stringMatching(/result is 102400 bytes/) });
    expect((await client.call(1, Buffer.from("small"), RETRIABLE)).toString()).toBe("small");
    expect(list[0]!.server.stats).toMatchObject({ accepted: 1, protocolErrors: 0 });
  });
});
