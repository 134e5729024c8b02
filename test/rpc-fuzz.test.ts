// Fuzzing a live RpcServer that serves the bank app's components through componentHandler, as
// a weavelet does: random bytes, valid frames with flipped bits, truncated and oversized
// lengths, requests with bad headers, metadata and payloads, unknown methods, duplicate ids and
// cancel storms, over many connections. Meanwhile and afterwards, calls through the generated
// client stubs must give the right answers, and the server must end with nothing in flight and
// only the well-behaved connection open. Set FUZZ_SEED to replay a run.
import net from "node:net";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { CancelledError, DeadlineExceededError } from "@weaver/core";
import { local } from "@weaver/core/testing";
import {
  FrameReader,
  FrameType,
  PROTOCOL_VERSION,
  RpcClient,
  RpcServer,
  encodeHello,
  encodeRequestHead,
  privateSocketDir,
  type ByteRange,
  type CallInfo,
} from "@weaver/rpc";
import { Codec, componentHandler, getComponent, methodId, remoteCalls } from "@weaver/runtime/core";
import { afterAll, expect, it } from "vitest";
import "./apps/bank/src/weaver_gen.js";
import { AuditImpl, type Audit } from "./apps/bank/src/audit.js";
import { LedgerImpl, type Ledger } from "./apps/bank/src/ledger.js";
import { InsufficientFunds, TellerImpl, type Teller } from "./apps/bank/src/teller.js";

const SEED = Number(process.env["FUZZ_SEED"] ?? Date.now() % 1_000_000);
const TARGET_FRAMES = Number(process.env["FUZZ_FRAMES"] ?? 200_000);
const PARALLEL = 24;
const DEPLOYMENT = "fuzz-deployment";
const MAX_IN_FLIGHT = 16;

/** A small seeded generator (mulberry32), so a failing run can be replayed with FUZZ_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (n: number): number => Math.floor(random() * n);
const chance = (p: number): boolean => random() < p;
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));

function frame(type: number, id: number, body: Uint8Array = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(9 + body.length);
  out.writeUInt32BE(5 + body.length, 0);
  out[4] = type;
  out.writeUInt32BE(id >>> 0, 5);
  out.set(body, 9);
  return out;
}

const ledger = getComponent("bank/Ledger");
const audit = getComponent("bank/Audit");
const teller = getComponent("bank/Teller");
const manifest = ledger.app;
const index = (name: string): number => manifest.components.findIndex((c) => c.name === name);
const codecs = new Map([ledger, audit, teller].map((c) => [c.manifest.name, new Codec(c.registration.structures)]));

/** A well-formed call of a real method, with arguments of the right types (accounts the check never uses). */
function validCall(): { method: number; payload: Uint8Array } {
  const account = `fuzz-${int(20)}`;
  const calls: [string, number, unknown[]][] = [
    ["bank/Ledger", 0, [account, int(100) - 50, chance(0.5) ? "memo" : undefined]],
    ["bank/Ledger", 1, [account]],
    ["bank/Ledger", 2, [account]],
    ["bank/Audit", 0, [pick(["a", "b", "c"])]],
    ["bank/Audit", 1, [pick(["a", "b", "c"])]],
    ["bank/Teller", 1, [int(15)]], // wait(ms)
    ["bank/Teller", 2, []],
    ["bank/Teller", 3, [String(int(10))]],
  ];
  const [name, m, args] = pick(calls);
  return { method: methodId(index(name), m), payload: codecs.get(name)!.encode(args) };
}

function flipBits(buffer: Buffer, from = 0): Buffer {
  const out = Buffer.from(buffer);
  const flips = 1 + int(3);
  for (let i = 0; i < flips && out.length > from; i++) {
    const at = from + int(out.length - from);
    out[at] = (out[at] as number) ^ (1 << int(8));
  }
  return out;
}

function metadata(): Record<string, string> | undefined {
  if (!chance(0.3)) return undefined;
  return Object.fromEntries(Array.from({ length: 1 + int(3) }, () => [bytes(1 + int(6)).toString("hex"), "v".repeat(int(20))]));
}

/** A request the server must answer (exactly once) without closing the connection. */
function answerableRequest(id: number): Buffer {
  let method: number;
  let payload: Uint8Array;
  const roll = random();
  if (roll < 0.45) ({ method, payload } = validCall());
  else if (roll < 0.6)
    ({ method, payload } = { method: int(2 ** 32), payload: validCall().payload }); // unknown method
  else if (roll < 0.75)
    ({ method, payload } = { method: validCall().method, payload: bytes(int(64)) }); // random payload
  else {
    const call = validCall();
    ({ method, payload } = { method: call.method, payload: flipBits(Buffer.from(call.payload)) }); // mutated payload
  }
  const timeoutMs = pick([0, 0, 1, 3, 50, 1000, 0xffffffff]);
  const traceparent = chance(0.2) ? `00-${bytes(16).toString("hex")}-${bytes(8).toString("hex")}-01` : undefined;
  const head = encodeRequestHead({ method, timeoutMs, traceparent, metadata: metadata() });
  return frame(FrameType.REQUEST, id, Buffer.concat([head, payload]));
}

/** Something that breaks the protocol (or may: a flipped bit can land anywhere). */
function violation(id: number, inFlight: readonly number[]): Buffer {
  switch (int(10)) {
    case 0:
      return bytes(1 + int(200)); // random bytes
    case 1:
      return flipBits(answerableRequest(id)); // a valid frame with flipped bits, header included
    case 2: {
      const f = answerableRequest(id);
      return f.subarray(0, int(f.length)); // truncated: what follows is misread
    }
    case 3: {
      const f = Buffer.alloc(9);
      f.writeUInt32BE(0x01000000 + int(0x7f000000), 0); // oversized length
      f[4] = FrameType.REQUEST;
      return f;
    }
    case 4: {
      const f = Buffer.alloc(9);
      f.writeUInt32BE(int(5), 0); // too short to hold a type and an id
      return f;
    }
    case 5: // request flags nobody defined, or a traceparent / metadata length that runs past the body
      return frame(FrameType.REQUEST, id, Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, pick([4, 8, 0xff, 1, 2]), 0xff, 0xff]));
    case 6: {
      const junk = pick([Buffer.from([0xc1]), Buffer.from([0x93, 1, 2, 3]), Buffer.from([0x81, 0xa1, 0x61, 0x05]), bytes(8)]);
      const body = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 2]), Buffer.alloc(4), junk]);
      body.writeUInt32BE(junk.length, 9);
      return frame(FrameType.REQUEST, id, body); // metadata that is not a map of strings
    }
    case 7: // a duplicate id, when one is still in flight
      return inFlight.length > 0 ? answerableRequest(pick(inFlight)) : frame(FrameType.HELLO, 0, bytes(10));
    case 8:
      return frame(pick([0, 10, 99, 255, FrameType.RESPONSE, FrameType.GOAWAY, FrameType.WELCOME]), id, bytes(int(20)));
    default:
      return frame(
        FrameType.HELLO,
        0,
        encodeHello({ protocol: PROTOCOL_VERSION, deployment: DEPLOYMENT, version: manifest.versionHash, peer: "again" }),
      );
  }
}

let peers = 0;

function hello(): Buffer {
  const roll = random();
  const fields = {
    protocol: roll < 0.03 ? 99 : PROTOCOL_VERSION,
    deployment: roll > 0.97 ? "another-deployment" : DEPLOYMENT,
    version: roll > 0.94 && roll <= 0.97 ? "stale-version" : manifest.versionHash,
    peer: `fuzzer-${peers++}`, // unique, so the server's calls can be told apart by connection
  };
  return frame(FrameType.HELLO, 0, encodeHello(fields));
}

/** One fuzzing connection; resolves with the number of frames it sent. */
async function fuzzConnection(path: string, sockets: Set<net.Socket>): Promise<number> {
  const socket = net.connect(path);
  sockets.add(socket);
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const reader = new FrameReader(64 * 1024 * 1024);
  const answers = new Map<number, number>();
  let welcomed = false;
  let broken: string | undefined;
  socket.on("data", (chunk: Buffer) => {
    try {
      for (const f of reader.push(chunk)) {
        if (f.type === FrameType.WELCOME) welcomed = true;
        else if (f.type === FrameType.RESPONSE || f.type === FrameType.APP_ERROR || f.type === FrameType.SYSTEM_ERROR) {
          answers.set(f.id, (answers.get(f.id) ?? 0) + 1);
        } else if (f.type !== FrameType.REFUSED) broken = `unexpected frame type ${f.type} from the server`;
      }
    } catch (e) {
      broken = `the server sent a bad frame: ${(e as Error).message}`;
    }
  });
  await new Promise<void>((resolve) => {
    socket.once("connect", resolve);
    socket.once("close", resolve);
  });
  const isClosed = (): boolean => socket.destroyed || socket.readyState !== "open";
  const write = async (data: Buffer): Promise<void> => {
    if (isClosed()) return;
    // Split at random points: frames must survive any cut.
    let at = 0;
    while (at < data.length && !isClosed()) {
      const n = chance(0.3) ? 1 + int(64) : data.length - at;
      socket.write(data.subarray(at, at + n));
      at += n;
    }
    await new Promise((r) => setImmediate(r));
  };

  let sent = 0;
  const kind = random();
  if (kind < 0.1) {
    // Random bytes, perhaps after a valid HELLO.
    if (chance(0.5)) {
      await write(hello());
      sent++;
    }
    for (let i = 0; i < 1 + int(5); i++, sent++) await write(bytes(1 + int(300)));
    socket.destroy();
    return sent;
  }
  await write(hello());
  sent++;
  const started = Date.now();
  while (!welcomed && !isClosed() && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 1));
  if (!welcomed) {
    socket.destroy();
    return sent;
  }
  const clean = kind < 0.45; // clean connections break no rule: every request must be answered exactly once
  const frames = 100 + int(400);
  const requested: number[] = [];
  let nextId = 1;
  let batch: Buffer[] = [];
  for (let i = 0; i < frames && !isClosed(); i++) {
    const roll = random();
    if (roll < 0.12) {
      // A cancel storm: CANCEL for calls in flight, long gone, and never made.
      for (let k = 0; k < 1 + int(8); k++)
        batch.push(frame(FrameType.CANCEL, chance(0.7) && requested.length > 0 ? pick(requested.slice(-20)) : int(2 ** 32)));
    } else if (!clean && roll < 0.12 + 0.02) {
      batch.push(violation(nextId++, requested.slice(-10)));
    } else {
      const id = nextId++;
      requested.push(id);
      batch.push(answerableRequest(id));
    }
    sent++;
    if (batch.length >= 1 + int(40)) {
      await write(Buffer.concat(batch));
      batch = [];
    }
  }
  await write(Buffer.concat(batch));
  if (clean) {
    const deadline = Date.now() + 15_000;
    while (requested.some((id) => !answers.has(id)) && !isClosed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const unanswered = requested.filter((id) => !answers.has(id));
    const twice = [...answers].filter(([, n]) => n > 1).map(([id]) => id);
    const unasked = [...answers.keys()].filter((id) => !requested.includes(id));
    expect({ closed: isClosed(), unanswered, twice, unasked, broken }).toEqual({
      closed: false,
      unanswered: [],
      twice: [],
      unasked: [],
      broken: undefined,
    });
  } else if (chance(0.5)) {
    await Promise.race([closed, new Promise((r) => setTimeout(r, 20))]);
  }
  expect(broken).toBeUndefined();
  socket.destroy();
  return sent;
}

const dir = privateSocketDir("weaver-fuzz-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`survives ${TARGET_FRAMES} hostile frames and keeps answering correctly (seed ${SEED})`, { timeout: 120_000 }, async () => {
  const app = await local.start({ config: '["bank/Teller"]\nbank = "Fuzz Bank"\nfee = 1\n' });
  const stubs = new Map<string, object>([
    ["bank/Ledger", await app.get(LedgerImpl)],
    ["bank/Audit", await app.get(AuditImpl)],
    ["bank/Teller", await app.get(TellerImpl)],
  ]);
  const badPeers: string[] = [];
  const serve = componentHandler(manifest, (name) => (stubs.has(name) ? Promise.resolve({ impl: stubs.get(name)! }) : undefined));
  // Calls running per connection (each fuzzer names itself uniquely in its HELLO), and the most seen.
  const running = new Map<string, number>();
  let mostRunning = 0;
  const server = new RpcServer({
    deployment: DEPLOYMENT,
    version: manifest.versionHash,
    id: "fuzzed",
    handler: (payload, call) => {
      const now = (running.get(call.peer) ?? 0) + 1;
      running.set(call.peer, now);
      mostRunning = Math.max(mostRunning, now);
      const counted = new Counted(call, () => running.set(call.peer, (running.get(call.peer) ?? 1) - 1));
      try {
        return serve(payload, counted);
      } catch (e) {
        counted.reject(e);
        return undefined;
      }
    },
    deadlineReason: () => new DeadlineExceededError(),
    cancelReason: () => new CancelledError(),
    onBadPeer: (reason) => void (badPeers.length < 1000 && badPeers.push(reason)),
    maxInFlightPerConnection: MAX_IN_FLIGHT,
  });
  const path = join(dir, "fuzzed.sock");
  await server.listen({ path });
  const client = new RpcClient({ deployment: DEPLOYMENT, version: manifest.versionHash, id: "checker" });
  client.setReplicas([{ id: "fuzzed", address: { path } }]);
  const stub = <T>(c: typeof ledger): T => c.registration.clientStub(remoteCalls(c, client)) as T;
  const L = stub<Ledger>(ledger);
  const A = stub<Audit>(audit);
  const T = stub<Teller>(teller);
  const sockets = new Set<net.Socket>();
  try {
    // A well-behaved caller keeps working while the fuzzers run.
    let checking = true;
    let checks = 0;
    const checker: Promise<void> = (async () => {
      let expected = 0;
      while (checking) {
        expected += 2;
        expect(await L.deposit("checker", 2)).toBe(expected);
        expect(await L.balance("checker")).toBe(expected);
        checks++;
      }
    })();
    checker.catch(() => {}); // awaited below

    const started = performance.now();
    let sent = 0;
    const progress = process.env["FUZZ_DEBUG"]
      ? setInterval(() => console.log(sent, JSON.stringify(server.stats), checks), 1000)
      : undefined;
    let connections = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (sent < TARGET_FRAMES) {
          connections++;
          const n = await fuzzConnection(path, sockets);
          sent += n;
        }
      }),
    );
    clearInterval(progress);
    const seconds = (performance.now() - started) / 1000;
    checking = false;
    await checker;
    console.log(
      `rpc fuzz (seed ${SEED}): ${sent} frames over ${connections} connections in ${seconds.toFixed(1)} s ` +
        `(${Math.round(sent / seconds)} frames/s); server: ${JSON.stringify(server.stats)}; ${checks} checked calls meanwhile`,
    );
    expect(sent).toBeGreaterThanOrEqual(TARGET_FRAMES);
    expect(checks).toBeGreaterThan(10);

    // Every fuzzing connection is gone; nothing is left in flight; only the checker's connection is open.
    for (const s of sockets) s.destroy();
    const deadline = Date.now() + 10_000;
    while ((server.stats.open !== 1 || server.stats.inFlight !== 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(server.stats).toMatchObject({ open: 1, inFlight: 0 });
    expect(server.stats.accepted).toBe(connections + 1);
    expect(server.stats.protocolErrors).toBeGreaterThan(connections / 10);
    expect(server.stats.refused).toBeGreaterThan(0);
    expect(server.stats.cancelled).toBeGreaterThan(0);
    expect(server.stats.calls).toBeGreaterThan(TARGET_FRAMES / 3);
    expect(mostRunning).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    expect(mostRunning).toBeGreaterThan(MAX_IN_FLIGHT / 2); // the limit was actually reached
    expect(badPeers.every((r) => /broke the protocol|refused a client|no handshake/.test(r))).toBe(true);

    // Correct answers through the generated client stubs.
    expect(await L.deposit("alice", 100, "salary")).toBe(100);
    expect(await L.deposit("alice", -30)).toBe(70);
    expect(await L.balance("alice")).toBe(70);
    const history = await L.history("alice");
    expect(history.map((e) => [e.amount, e.memo, e.tags])).toEqual([
      [100, "salary", new Set(["credit"])],
      [-30, undefined, new Set(["debit"])],
    ]);
    expect(history[0]?.at).toBeInstanceOf(Date);
    const before = await A.count("pay");
    expect(await T.pay("alice", "bob", 20)).toEqual({ from: "alice", to: "bob", amount: 20, fee: 1, bank: "Fuzz Bank" });
    expect(await L.balance("alice")).toBe(49);
    expect(await L.balance("bob")).toBe(20);
    expect(await A.count("pay")).toBe(before + 1);
    const err = await T.pay("nobody", "bob", 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientFunds);
    expect(err).toMatchObject({ account: "nobody", missing: 6 });
    expect(server.stats.inFlight).toBe(0);
  } finally {
    for (const s of sockets) s.destroy();
    client.close();
    await server.close();
    await app.close();
  }
});

/** A served call that tells `done` when it is first answered (the handler answers through the call). */
class Counted implements CallInfo {
  #answered = false;
  constructor(
    readonly inner: CallInfo,
    readonly done: () => void,
  ) {}
  get method(): number {
    return this.inner.method;
  }
  get deadline(): number | undefined {
    return this.inner.deadline;
  }
  get traceparent(): string | undefined {
    return this.inner.traceparent;
  }
  get metadata(): Readonly<Record<string, string>> | undefined {
    return this.inner.metadata;
  }
  get signal(): AbortSignal {
    return this.inner.signal;
  }
  get aborted(): boolean {
    return this.inner.aborted;
  }
  get abortReason(): unknown {
    return this.inner.abortReason;
  }
  get peer(): string {
    return this.inner.peer;
  }
  get identity(): string | undefined {
    return this.inner.identity;
  }
  listen(onAbort: (reason: unknown) => void): () => void {
    return this.inner.listen(onAbort);
  }
  resolve(result: Uint8Array | ByteRange): void {
    this.#answer();
    this.inner.resolve(result);
  }
  reject(e: unknown): void {
    this.#answer();
    this.inner.reject(e);
  }
  #answer(): void {
    if (!this.#answered) this.done();
    this.#answered = true;
  }
}
