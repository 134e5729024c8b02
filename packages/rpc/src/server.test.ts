// The server end of the protocol, spoken by hand over raw sockets: every frame type, protocol
// violations, deadlines, cancellation, draining and flow control.
import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RpcAppError, RpcSystemError } from "./errors.js";
import { decodeHello } from "./frames.js";
import { Cleanup, RawPeer, echo, frame, gate, helloBody, requestFrame, socketDir, startServer, until } from "./harness.test.util.js";
import { FrameType, PROTOCOL_VERSION, SystemCode } from "./protocol.js";
import { RpcServer, type CallInfo, type Handler } from "./server.js";
import { HELLO_MAX_BYTES, MAX_UNREAD_BYTES } from "./server-connection.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function systemAnswer(f: { type: number; body: Buffer }): { code: number; message: string } {
  expect(f.type).toBe(FrameType.SYSTEM_ERROR);
  return { code: f.body[0] as number, message: f.body.toString("utf8", 1) };
}

describe("handshake", () => {
  it("welcomes a client of the same deployment, version and protocol", async () => {
    const { path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "replica-7", maxFrameBytes: 100_000 });
    const peer = await RawPeer.connect(cleanup, path);
    peer.send(frame(FrameType.HELLO, 0, helloBody()));
    const welcome = await peer.next();
    expect(welcome.type).toBe(FrameType.WELCOME);
    expect(decodeHello(welcome.body)).toEqual({
      protocol: PROTOCOL_VERSION,
      deployment: "dep-test",
      version: "v-test",
      peer: "replica-7",
      maxFrameBytes: 100_000,
    });
  });

  it.each([
    [
      "deployment",
      { deployment: "other-dep" },
      /^deployment mismatch: client is in deployment other-dep, this server is not$/,
      /deployment mismatch: client is in deployment other-dep, server in dep-test/,
    ],
    [
      "app version",
      { version: "v-old" },
      /^app version mismatch: client runs version v-old, this server does not$/,
      /app version mismatch: client runs version v-old, server v-test/,
    ],
    ["protocol", { protocol: PROTOCOL_VERSION + 1 }, /protocol version mismatch: client speaks 2, server 1/, /protocol version mismatch/],
  ])(
    "refuses a %s mismatch with the reason, telling the client nothing of its own, and logs both",
    async (_what, overrides, reason, logged) => {
      const bad: string[] = [];
      const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { onBadPeer: (r) => bad.push(r) });
      const peer = await RawPeer.connect(cleanup, path);
      // A request pipelined after the HELLO is ignored, not taken as a protocol violation.
      peer.send(Buffer.concat([frame(FrameType.HELLO, 0, helloBody(overrides)), requestFrame(1, {})]));
      const refused = await peer.next();
      expect(refused.type).toBe(FrameType.REFUSED);
      expect(refused.body.toString()).toMatch(reason);
      expect(refused.body.toString()).not.toMatch(/dep-test|v-test/);
      await peer.closed;
      expect(server.stats).toMatchObject({ refused: 1, protocolErrors: 0, calls: 0 });
      expect(bad).toEqual([expect.stringMatching(logged)]);
    },
  );

  it("disconnects a client that sends no HELLO in time", async () => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { handshakeTimeoutMs: 100 });
    const peer = await RawPeer.connect(cleanup, path);
    const started = Date.now();
    await peer.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(server.stats.protocolErrors).toBe(1);
  });
});

describe("calls", () => {
  it("answers REQUEST with RESPONSE, passing method, deadline, trace context, metadata and peer", async () => {
    const seen: CallInfo[] = [];
    const { server, path } = await startServer(cleanup, socketDir(cleanup), async (payload, call) => {
      seen.push(call);
      return Buffer.concat([Buffer.from("echo:"), payload.bytes]);
    });
    const peer = await RawPeer.ready(cleanup, path);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const before = Date.now();
    peer.send(requestFrame(42, { method: 0x00030002, timeoutMs: 5000, traceparent, metadata: { user: "ann" } }, Buffer.from("hi")));
    peer.send(requestFrame(43, { method: 1 }, Buffer.alloc(0)));
    const a = await peer.answer(42);
    expect(a).toMatchObject({ type: FrameType.RESPONSE, id: 42 });
    expect(a.body.toString()).toBe("echo:hi");
    expect((await peer.answer(43)).body.toString()).toBe("echo:");
    expect(seen[0]).toMatchObject({ method: 0x00030002, traceparent, metadata: { user: "ann" }, peer: "raw" });
    expect(seen[0]?.deadline).toBeGreaterThanOrEqual(before + 5000);
    expect(seen[0]?.deadline).toBeLessThanOrEqual(Date.now() + 5000);
    expect(seen[1]).toMatchObject({ deadline: undefined, traceparent: undefined, metadata: undefined });
    expect(server.stats).toMatchObject({ calls: 2, inFlight: 0, protocolErrors: 0 });
  });

  it("answers APP_ERROR with the encoded error the handler threw", async () => {
    const { path } = await startServer(cleanup, socketDir(cleanup), async () => {
      throw new RpcAppError(Buffer.from("encoded error"));
    });
    const peer = await RawPeer.ready(cleanup, path);
    peer.send(requestFrame(1, {}));
    const answer = await peer.answer(1);
    expect(answer.type).toBe(FrameType.APP_ERROR);
    expect(answer.body.toString()).toBe("encoded error");
  });

  it("answers SYSTEM_ERROR with the code of an RpcSystemError, and INTERNAL for anything else", async () => {
    const handler: Handler = async (payload) => {
      switch (payload.bytes.toString()) {
        case "unknown":
          throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, "no such method");
        case "shutdown":
          throw new RpcSystemError(SystemCode.SHUTTING_DOWN, "going away");
        case "crash":
          throw new TypeError("boom");
        case "not-bytes":
          return "a string" as unknown as Uint8Array;
        default:
          return payload;
      }
    };
    const syncThrow: Handler = () => {
      throw new Error("thrown synchronously");
    };
    const dir = socketDir(cleanup);
    const { path } = await startServer(cleanup, dir, handler);
    const peer = await RawPeer.ready(cleanup, path);
    for (const [i, p] of ["unknown", "shutdown", "crash", "not-bytes"].entries()) peer.send(requestFrame(i + 1, {}, Buffer.from(p)));
    expect(systemAnswer(await peer.answer(1))).toEqual({ code: SystemCode.UNKNOWN_METHOD, message: "no such method" });
    expect(systemAnswer(await peer.answer(2))).toEqual({ code: SystemCode.SHUTTING_DOWN, message: "going away" });
    expect(systemAnswer(await peer.answer(3))).toEqual({ code: SystemCode.INTERNAL, message: "boom" });
    expect(systemAnswer(await peer.answer(4)).code).toBe(SystemCode.INTERNAL);
    const other = await RawPeer.ready(cleanup, (await startServer(cleanup, dir, syncThrow)).path);
    other.send(requestFrame(1, {}));
    expect(systemAnswer(await other.answer(1))).toEqual({ code: SystemCode.INTERNAL, message: "thrown synchronously" });
    expect(peer.isClosed).toBe(false);
  });

  it("aborts a handler's signal on CANCEL, with the cancel reason, and still answers", async () => {
    const reasons: unknown[] = [];
    const { server, path } = await startServer(
      cleanup,
      socketDir(cleanup),
      (_p, call) =>
        new Promise((resolve) => {
          call.signal.addEventListener("abort", () => {
            reasons.push(call.signal.reason);
            resolve(Buffer.from("stopped"));
          });
        }),
      { cancelReason: () => new Error("cancelled by the caller") },
    );
    const peer = await RawPeer.ready(cleanup, path);
    peer.send(requestFrame(5, {}));
    await until(() => server.stats.inFlight === 1);
    peer.send(frame(FrameType.CANCEL, 5));
    peer.send(frame(FrameType.CANCEL, 5)); // a second one is harmless
    peer.send(frame(FrameType.CANCEL, 77)); // and so is one for an unknown call
    expect((await peer.answer(5)).body.toString()).toBe("stopped");
    expect(reasons).toEqual([new Error("cancelled by the caller")]);
    expect(server.stats).toMatchObject({ cancelled: 1, inFlight: 0, protocolErrors: 0 });
  });

  it("aborts calls past their deadline without any CANCEL (the server's sweep)", async () => {
    let abortedAfter = -1;
    const { server, path } = await startServer(
      cleanup,
      socketDir(cleanup),
      (_p, call) =>
        new Promise((resolve) => {
          const started = Date.now();
          call.signal.addEventListener("abort", () => {
            abortedAfter = Date.now() - started;
            expect((call.signal.reason as Error).name).toBe("TimeoutError");
            resolve(Buffer.from("late"));
          });
        }),
    );
    const peer = await RawPeer.ready(cleanup, path);
    peer.send(requestFrame(1, { timeoutMs: 100 }));
    expect((await peer.answer(1)).body.toString()).toBe("late");
    expect(abortedAfter).toBeGreaterThanOrEqual(95);
    expect(abortedAfter).toBeLessThan(300);
    expect(server.stats.cancelled).toBe(0);
  });

  it("aborts every call of a connection that closes", async () => {
    const aborted: string[] = [];
    const { server, path } = await startServer(cleanup, socketDir(cleanup), (payload, call) => {
      call.signal.addEventListener("abort", () => aborted.push(payload.bytes.toString()));
      return new Promise(() => {});
    });
    const peer = await RawPeer.ready(cleanup, path);
    peer.send(Buffer.concat([requestFrame(1, {}, Buffer.from("a")), requestFrame(2, {}, Buffer.from("b"))]));
    await until(() => server.stats.inFlight === 2);
    peer.socket.destroy();
    await until(() => server.stats.inFlight === 0 && server.stats.open === 0);
    expect(aborted.sort()).toEqual(["a", "b"]);
  });

  it("answers a result larger than the client accepts with INTERNAL, keeping the connection", async () => {
    const { path } = await startServer(cleanup, socketDir(cleanup), async (p) => (p.length > 0 ? Buffer.alloc(5000) : Buffer.from("ok")));
    const peer = await RawPeer.connect(cleanup, path);
    peer.send(frame(FrameType.HELLO, 0, helloBody({ maxFrameBytes: 4096 })));
    expect((await peer.next()).type).toBe(FrameType.WELCOME);
    peer.send(requestFrame(1, {}, Buffer.from("big")));
    expect(systemAnswer(await peer.answer(1))).toEqual({
      code: SystemCode.INTERNAL,
      message: expect.stringMatching(/result is 5000 bytes, more than the 4096-byte/),
    });
    peer.send(requestFrame(2, {}));
    expect((await peer.answer(2)).body.toString()).toBe("ok");
  });
});

describe("protocol violations", () => {
  const cases: [string, (peer: RawPeer) => void, boolean][] = [
    ["a request before the handshake", (p) => p.send(requestFrame(1, {})), false],
    ["garbage before the handshake", (p) => p.send(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")), false],
    ["a HELLO that is not a map", (p) => p.send(frame(FrameType.HELLO, 0, Buffer.from([0xc1]))), false],
    ["an unknown frame type", (p) => p.send(frame(200, 1)), true],
    ["a frame only servers send", (p) => p.send(frame(FrameType.GOAWAY, 0)), true],
    ["a second HELLO", (p) => p.send(frame(FrameType.HELLO, 0, helloBody())), true],
    ["a malformed request body", (p) => p.send(frame(FrameType.REQUEST, 1, Buffer.from([1, 2, 3]))), true],
    ["request flags nobody defined", (p) => p.send(frame(FrameType.REQUEST, 1, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0x80]))), true],
    ["a duplicate request id", (p) => p.send(Buffer.concat([requestFrame(3, {}), requestFrame(3, {})])), true],
    ["an oversized frame", (p) => p.send(Buffer.from([0x7f, 0xff, 0xff, 0xff, 4])), true],
    // Before the handshake only a HELLO may come: a stranger may not make the server buffer 16 MiB.
    ["a HELLO over 4 KiB", (p) => p.send(frame(FrameType.HELLO, 0, helloBody({ peer: "x".repeat(HELLO_MAX_BYTES) }))), false],
    ["a length over 4 KiB before the handshake", (p) => p.send(Buffer.from([0, 1, 0, 0, FrameType.HELLO])), false],
    ["a frame length below the header size", (p) => p.send(Buffer.from([0, 0, 0, 2, 1, 1])), true],
  ];

  it.each(cases)("%s closes that connection only, and is counted", async (_what, misbehave, afterHandshake) => {
    const bad: string[] = [];
    const { server, path } = await startServer(cleanup, socketDir(cleanup), (p) => new Promise((r) => setTimeout(() => r(p), 20)), {
      onBadPeer: (r) => bad.push(r),
    });
    const good = await RawPeer.ready(cleanup, path);
    good.send(requestFrame(1, {}, Buffer.from("in flight")));
    const offender = afterHandshake ? await RawPeer.ready(cleanup, path) : await RawPeer.connect(cleanup, path);
    misbehave(offender);
    await offender.closed;
    expect(server.stats.protocolErrors).toBe(1);
    expect(bad).toEqual([expect.stringMatching(/broke the protocol/)]);
    // The well-behaved connection keeps its call in flight and takes new ones.
    expect((await good.answer(1)).body.toString()).toBe("in flight");
    good.send(requestFrame(2, {}, Buffer.from("after")));
    expect((await good.answer(2)).body.toString()).toBe("after");
    await until(() => server.stats.open === 1);
  });
});

describe("strangers", () => {
  it("a server holds at most maxPendingHandshakes connections without a handshake, closing the oldest", async () => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { maxPendingHandshakes: 3 });
    const silent = [];
    for (let i = 0; i < 5; i++) {
      silent.push(await RawPeer.connect(cleanup, path));
      await until(() => server.stats.accepted === i + 1);
    }
    await silent[0]?.closed;
    await silent[1]?.closed;
    expect(silent.map((p) => p.isClosed)).toEqual([true, true, false, false, false]);
    expect(server.stats.shed).toBe(2);
    // A client that completes its handshake no longer counts, and is never shed.
    const good = await RawPeer.ready(cleanup, path);
    for (let i = 0; i < 4; i++) await RawPeer.connect(cleanup, path);
    await until(() => server.stats.shed === 6);
    good.send(requestFrame(1, {}, Buffer.from("still here")));
    expect((await good.answer(1)).body.toString()).toBe("still here");
  });
});

describe("flow control", () => {
  it("runs at most maxInFlightPerConnection handlers per connection, resuming as they finish", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates = new Map<number, () => void>();
    const { server, path } = await startServer(
      cleanup,
      socketDir(cleanup),
      async (payload) => {
        const n = payload.bytes.readUInt32BE(0);
        started.push(n);
        const mine = n !== 100; // 100 is the other connection's
        if (mine) running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => gates.set(n, r));
        if (mine) running--;
        return payload;
      },
      { maxInFlightPerConnection: 3 },
    );
    const peer = await RawPeer.ready(cleanup, path);
    const other = await RawPeer.ready(cleanup, path);
    const payload = (n: number): Buffer => Buffer.from([0, 0, 0, n]);
    // Twenty requests in one write: the server must not start them all at once.
    // The CANCEL of request 20 comes in the same write: it is read before the server stops reading.
    peer.send(
      Buffer.concat([...Array.from({ length: 20 }, (_, i) => requestFrame(i + 1, {}, payload(i + 1))), frame(FrameType.CANCEL, 20)]),
    );
    await until(() => started.length === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual([1, 2, 3]);
    // The limit is per connection: another connection still gets its calls run.
    other.send(requestFrame(1, {}, payload(100)));
    await until(() => started.includes(100));
    gates.get(100)!();
    expect((await other.answer(1)).body.readUInt32BE(0)).toBe(100);
    // Cancelling a request that has not started drops it with CANCELLED.
    expect(systemAnswer(await peer.answer(20)).code).toBe(SystemCode.CANCELLED);
    for (let n = 1; n <= 19; n++) {
      await until(() => gates.has(n), 5_000, `call ${n} to start`);
      expect(running).toBeLessThanOrEqual(3);
      gates.get(n)!();
      expect((await peer.answer(n)).body.readUInt32BE(0)).toBe(n);
    }
    expect(started.filter((n) => n !== 100)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1)); // in arrival order
    expect(most).toBe(3);
    expect(server.stats).toMatchObject({ calls: 20, inFlight: 0, cancelled: 1, protocolErrors: 0 });
  });

  it("stops reading a client that does not read its answers, so memory stays bounded", async () => {
    const answer = Buffer.alloc(256 * 1024, 1);
    const { server, path } = await startServer(cleanup, socketDir(cleanup), async () => answer, { maxInFlightPerConnection: 16 });
    const peer = await RawPeer.ready(cleanup, path);
    peer.socket.pause(); // read nothing
    const total = 400; // 100 MiB of answers if the server kept going
    peer.send(Buffer.concat(Array.from({ length: total }, (_, i) => requestFrame(i + 1, {}))));
    await new Promise((r) => setTimeout(r, 300));
    const callsWhilePaused = server.stats.calls;
    // Calls started: those whose answers fill the kernel buffers and MAX_UNREAD_BYTES, plus one round of 16.
    expect(callsWhilePaused).toBeLessThan(total / 2);
    expect(callsWhilePaused * answer.length).toBeLessThan(MAX_UNREAD_BYTES + 32 * 1024 * 1024);
    peer.socket.resume();
    await until(() => peer.frames.length === total, 20_000, "every answer");
    expect(new Set(peer.frames.map((f) => f.id)).size).toBe(total);
    expect(server.stats).toMatchObject({ calls: total, inFlight: 0 });
  });
});

describe("draining", () => {
  it("sends GOAWAY, turns new requests away, finishes calls in flight, then closes", async () => {
    const g = gate();
    const { server, path } = await startServer(cleanup, socketDir(cleanup), async (p) => {
      await g.promise;
      return p;
    });
    const peer = await RawPeer.ready(cleanup, path);
    peer.send(requestFrame(1, {}, Buffer.from("in flight")));
    await until(() => server.stats.inFlight === 1);
    const drained = server.drain();
    const goaway = await peer.next();
    expect(goaway).toMatchObject({ type: FrameType.GOAWAY, id: 0 });
    peer.send(requestFrame(2, {}, Buffer.from("too late")));
    expect(systemAnswer(await peer.answer(2)).code).toBe(SystemCode.SHUTTING_DOWN);
    expect(peer.isClosed).toBe(false);
    g.open();
    expect((await peer.answer(1)).body.toString()).toBe("in flight");
    await peer.closed;
    await drained;
    expect(server.stats).toMatchObject({ turnedAway: 1, open: 0, inFlight: 0 });
    // The listener is gone.
    await expect(RawPeer.connect(cleanup, path)).rejects.toThrow();
  });

  it("closes connections still busy when the drain times out, cancelling their calls", async () => {
    let aborted = false;
    const { server, path } = await startServer(cleanup, socketDir(cleanup), (_p, call) => {
      call.signal.addEventListener("abort", () => (aborted = true));
      return new Promise(() => {});
    });
    const peer = await RawPeer.ready(cleanup, path);
    peer.send(requestFrame(1, {}));
    await until(() => server.stats.inFlight === 1);
    await server.drain(100);
    await peer.closed;
    await until(() => aborted);
    expect(server.stats.inFlight).toBe(0);
  });
});

describe("listen", () => {
  it("replaces the socket file of a server that died, but not that of a live one", async () => {
    const dir = socketDir(cleanup);
    const path = join(dir, "stale.sock");
    // A socket file nobody listens on, as a killed process leaves behind.
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(process.execPath, [
      "-e",
      `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    expect(r.signal).toBe("SIGKILL");
    const server = new RpcServer({ deployment: "dep-test", version: "v-test", id: "s", handler: echo });
    cleanup.add(() => server.close());
    await server.listen({ path });
    const peer = await RawPeer.ready(cleanup, path);
    expect(peer.isClosed).toBe(false);
    const second = new RpcServer({ deployment: "dep-test", version: "v-test", id: "s2", handler: echo });
    cleanup.add(() => second.close());
    await expect(second.listen({ path })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  it("listens on TCP port 0 and reports the port it got", async () => {
    const server = new RpcServer({ deployment: "dep-test", version: "v-test", id: "s", handler: echo });
    cleanup.add(() => server.close());
    const address = await server.listen({ host: "127.0.0.1", port: 0 });
    expect("port" in address && address.port).toBeGreaterThan(0);
    const socket = net.connect((address as { port: number }).port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.destroy();
  });
});
