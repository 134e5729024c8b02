/**
 * Remote calls: the generated client stub of bench/echo's Echo, through our whole stack (stub →
 * msgpackr codec → RpcClient → Unix socket → a weavelet process → componentHandler → server stub
 * → local stub → EchoImpl, and back), against
 * - a raw msgpackr echo over the same kind of socket (raw-echo.ts): the limit for Node, and the
 *   real target (sequential latency at most 1.3x, pipelined throughput at least 0.7x);
 * - @grpc/grpc-js unary calls over a Unix socket, and Moleculer's TCP transporter on 127.0.0.1:
 *   what users would pick instead (targets: ahead of both, DESIGN §10).
 *
 * Every server runs in a process of its own, all started up front and idle but for the one being
 * measured; candidate and baseline alternate rounds, so both see the same machine. Latency is
 * measured with this process and both servers pinned to one CPU (see onOneCpu in procs.ts), and
 * throughput unpinned, with both CPUs.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import moleculer from "moleculer";
import { RpcClient, privateSocketDir } from "@weaver/rpc";
import { DEPLOYER_PROTOCOL_VERSION } from "@weaver/runtime";
import { getComponent, remoteCalls } from "@weaver/runtime/core";
import "echo/dist/weaver_gen.js";
import type { Echo } from "echo/dist/echo.js";
import { measureLatency, measureThroughput, pipelined, type Result } from "./harness.js";
import { RawEchoClient } from "./raw-echo.js";
import { echoService } from "./grpc-service.js";
import { brokerOptions, type MoleculerPeers } from "./moleculer-common.js";
import { freePort, onOneCpu, startServer, stopAll, type ServerProcess } from "./procs.js";

/** A titled group of results. */
export interface Section {
  readonly title: string;
  readonly results: Result[];
}

/** One payload: its label and how each system echoes it. */
interface Payload {
  readonly label: string;
  readonly value: string | Uint8Array;
  /** Operations per throughput round, and calls per latency round, against the raw echo. */
  readonly ops: number;
  readonly latencyOps: number;
}

type Call = (value: string | Uint8Array) => Promise<unknown>;

const SMALL = "weaver-echo-0001"; // 16 characters
const BYTES_10K = Uint8Array.from({ length: 10_240 }, (_, i) => (i * 31) & 0xff);
const STRING_10K = "0123456789abcdef".repeat(640); // 10 240 characters

const PAYLOADS: readonly Payload[] = [
  { label: "small (16-char string)", value: SMALL, ops: 20_000, latencyOps: 1_000 },
  { label: "10 KB (Uint8Array)", value: BYTES_10K, ops: 8_000, latencyOps: 1_000 },
  { label: "10 KB (string)", value: STRING_10K, ops: 8_000, latencyOps: 1_000 },
];

/** Calls kept in flight in the throughput cases. */
const IN_FLIGHT = 64;

/**
 * Runs the remote call cases; returns one section per baseline. `quick` (the regression check)
 * measures only the small payload against the raw echo, in fewer rounds.
 */
export async function rpcCases(log: (line: string) => void = () => {}, quick = false): Promise<Section[]> {
  const payloads = quick ? PAYLOADS.slice(0, 1) : PAYLOADS;
  const dir = privateSocketDir("wb-");
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir); // also when interrupted
  const echoSocket = join(dir, "echo.sock");
  const rawSocket = join(dir, "raw.sock");
  const grpcAddress = `unix://${join(dir, "grpc.sock")}`;
  const peers: MoleculerPeers = { serverPort: await freePort(), clientPort: await freePort() };
  const servers: ServerProcess[] = [];
  const closers: (() => unknown)[] = [];
  try {
    const component = getComponent("echo/Echo");
    const started = await Promise.allSettled([
      startServer({
        name: "weaver-echo",
        script: new URL(import.meta.resolve("echo/dist/main.js")),
        env: {
          WEAVER_REPLICA: JSON.stringify({
            protocol: DEPLOYER_PROTOCOL_VERSION,
            deployment: "bench",
            id: "e1",
            hosts: ["echo/Echo"],
            listen: `unix:${echoSocket}`,
            routes: {},
          }),
        },
        ready: "replica e1 serving",
      }),
      startServer({
        name: "raw-echo",
        script: new URL("./raw-echo-server.js", import.meta.url),
        env: { RAW_ECHO_SOCKET: rawSocket },
        ready: "raw echo serving",
      }),
      startServer({
        name: "grpc-echo",
        script: new URL("./grpc-server.js", import.meta.url),
        env: { GRPC_ECHO_ADDRESS: grpcAddress },
        ready: "grpc echo serving",
      }),
      startServer({
        name: "moleculer-echo",
        script: new URL("./moleculer-server.js", import.meta.url),
        env: { MOLECULER_PORTS: `${peers.serverPort},${peers.clientPort}` },
        ready: "moleculer echo serving",
      }),
    ]);
    for (const s of started) if (s.status === "fulfilled") servers.push(s.value);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    const [weaverServer, rawServer, grpcServer, moleculerServer] = servers as [ServerProcess, ServerProcess, ServerProcess, ServerProcess];

    // Ours: the generated client stub over an RpcClient, as a weavelet calling Echo would.
    const client = new RpcClient({ deployment: "bench", version: component.app.versionHash, id: "bench" });
    client.setReplicas([{ id: "e1", address: { path: echoSocket } }]);
    closers.push(() => client.close());
    const echo = component.registration.clientStub(remoteCalls(component, client)) as Echo;
    const ours: Call = (v) => (typeof v === "string" ? echo.echo(v) : echo.echoBytes(v));

    const raw = await RawEchoClient.connect(rawSocket);
    closers.push(() => raw.close());
    const rawCall: Call = (v) => raw.call(v);

    const GrpcClient = grpc.makeGenericClientConstructor(echoService, "Echo");
    const grpcClient = new GrpcClient(grpcAddress, grpc.credentials.createInsecure());
    closers.push(() => grpcClient.close());
    const grpcEcho = grpcClient["echo"] as unknown as (args: unknown[], cb: (e: grpc.ServiceError | null, value?: unknown) => void) => void;
    const grpcCall: Call = (v) =>
      new Promise((resolve, reject) => grpcEcho.call(grpcClient, [v], (e, value) => (e ? reject(e) : resolve(value))));

    const broker = new moleculer.ServiceBroker(brokerOptions("client", peers));
    await broker.start();
    closers.push(() => broker.stop());
    await broker.waitForServices("echo", 10_000);
    const moleculerCall: Call = (v) => broker.call("echo.echo", { p: v });

    // Check every system echoes every payload, and warm each up (JIT, buffers, connections), so
    // that no measurement pays for compilation; latency rounds run pinned to one CPU, where the
    // compiler threads would compete with the calls.
    const systems = [
      ["weaver", ours, 1],
      ["raw", rawCall, 1],
      ["grpc", grpcCall, 8],
      ["moleculer", moleculerCall, 2],
    ] as const;
    for (const [name, call, slowdown] of quick ? systems.slice(0, 2) : systems) {
      for (const p of payloads) {
        check(name, p, await call(p.value));
        await pipelined(Math.ceil(p.ops / 4 / slowdown), IN_FLIGHT, () => call(p.value));
        for (let i = 0; i < Math.ceil(p.latencyOps / slowdown); i++) await call(p.value);
      }
    }
    log(`servers up and warm (pids ${servers.map((s) => `${s.name} ${s.pid}`).join(", ")}); measuring`);

    const rawTarget = { latency: { ratio: 1.3, kind: "max" }, throughput: { ratio: 0.7, kind: "min" } } as const;
    const aheadTarget = { latency: { ratio: 1, kind: "max" }, throughput: { ratio: 1, kind: "min" } } as const;
    const baselines = [
      {
        title: "Remote calls vs a raw msgpackr echo, both over a Unix socket (the limit for Node)",
        name: "raw msgpackr echo",
        server: rawServer,
        call: rawCall,
        target: rawTarget,
        slowdown: 1,
      },
      {
        title: "Remote calls vs @grpc/grpc-js unary calls over a Unix socket (msgpackr messages)",
        name: "grpc-js unary",
        server: grpcServer,
        call: grpcCall,
        target: aheadTarget,
        slowdown: 8,
      },
      {
        title: "Remote calls vs Moleculer's TCP transporter on 127.0.0.1 (msgpackr serializer)",
        name: "Moleculer TCP",
        server: moleculerServer,
        call: moleculerCall,
        target: aheadTarget,
        slowdown: 2,
      },
    ];
    const sections: Section[] = [];
    for (const b of quick ? baselines.slice(0, 1) : baselines) {
      const results: Result[] = [];
      let allPinned = true;
      for (const p of payloads) {
        const started = Date.now();
        const latency = await onOneCpu([process.pid, weaverServer.pid, b.server.pid], () =>
          measureLatency({
            name: `${p.label}: latency`,
            baseline: b.name,
            candidate: () => ours(p.value),
            reference: () => b.call(p.value),
            target: b.target.latency,
            ops: Math.ceil(p.latencyOps / Math.sqrt(b.slowdown)),
            rounds: quick ? 4 : 8,
          }),
        );
        allPinned &&= latency.pinned;
        results.push(...latency.value);
        results.push(
          await measureThroughput({
            name: `${p.label}: throughput, ${IN_FLIGHT} in flight`,
            baseline: b.name,
            candidate: () => ours(p.value),
            reference: () => b.call(p.value),
            target: b.target.throughput,
            inFlight: IN_FLIGHT,
            ops: Math.ceil(p.ops / b.slowdown),
            rounds: quick ? 3 : 7,
          }),
        );
        log(`${b.name}, ${p.label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      const how = allPinned
        ? "latency with both ends pinned to one CPU, throughput on both CPUs"
        : "latency and throughput on both CPUs (not pinned)";
      sections.push({ title: `${b.title}\n(${how})`, results });
    }
    return sections;
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // closing what failed to open
      }
    }
    await stopAll(servers);
    removeDir();
  }
}

/** Throws unless `got` is the payload `p` echoed back. */
function check(system: string, p: Payload, got: unknown): void {
  const want = p.value;
  const same =
    typeof want === "string"
      ? got === want
      : got instanceof Uint8Array &&
        got.length === want.length &&
        Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.length), Buffer.from(want)) === 0;
  if (!same) throw new Error(`${system} did not echo the ${p.label} payload`);
}
