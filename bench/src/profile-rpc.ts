/**
 * Profiling aid for the remote call path (not part of `npm run bench`): runs only our RPC (or
 * only the raw echo) against its server process for a while, so that CPU profiles of both ends
 * show one system. Usage:
 *
 *     BENCH_CPU_PROF=/tmp/prof node --cpu-prof --cpu-prof-dir /tmp/prof bench/dist/profile-rpc.js \
 *       [weaver|raw] [small|bytes|string] [pipelined|sequential] [calls]
 *
 * With BENCH_CPU_REPORT=1 it also prints the CPU time per call of this process and of the server
 * (steadier than wall time on a shared machine when comparing two builds).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { RpcClient, privateSocketDir } from "@weaver/rpc";
import { DEPLOYER_PROTOCOL_VERSION } from "@weaver/runtime";
import { getComponent, remoteCalls } from "@weaver/runtime/core";
import "echo/dist/weaver_gen.js";
import type { Echo } from "echo/dist/echo.js";
import { pipelined } from "./harness.js";
import { RawEchoClient } from "./raw-echo.js";
import { startServer } from "./procs.js";

const [system = "weaver", payloadName = "small", mode = "pipelined", callsText = "200000"] = process.argv.slice(2);
const payload = payloadName === "small" ? "weaver-echo-0001" : payloadName === "bytes" ? new Uint8Array(10_240) : "x".repeat(10_240);
const calls = Number(callsText);
const dir = privateSocketDir("wp-");
process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
const socket = join(dir, "s.sock");
const report = process.env["BENCH_CPU_REPORT"] !== undefined;
const cpuEnv: Record<string, string> = report ? { BENCH_CPU_CALLS: String(calls) } : {};
let call: () => Promise<unknown>;
let close: () => void;
const server =
  system === "weaver"
    ? await startServer({
        name: "weaver-echo",
        script: new URL(import.meta.resolve("echo/dist/main.js")),
        env: {
          ...cpuEnv,
          WEAVER_REPLICA: JSON.stringify({
            protocol: DEPLOYER_PROTOCOL_VERSION,
            deployment: "bench",
            id: "e1",
            hosts: ["echo/Echo"],
            listen: `unix:${socket}`,
            routes: {},
          }),
        },
        ready: "replica e1 serving",
      })
    : await startServer({
        name: "raw-echo",
        script: new URL("./raw-echo-server.js", import.meta.url),
        env: { ...cpuEnv, RAW_ECHO_SOCKET: socket },
        ready: "raw echo serving",
      });
if (system === "weaver") {
  const component = getComponent("echo/Echo");
  const client = new RpcClient({ deployment: "bench", version: component.app.versionHash, id: "bench" });
  client.setReplicas([{ id: "e1", address: { path: socket } }]);
  const echo = component.registration.clientStub(remoteCalls(component, client)) as Echo;
  call = typeof payload === "string" ? () => echo.echo(payload) : () => echo.echoBytes(payload);
  close = () => client.close();
} else {
  const raw = await RawEchoClient.connect(socket);
  call = () => raw.call(payload);
  close = () => raw.close();
}
if (report) {
  // Warm up, then tell the server to count its CPU time from here.
  for (let i = 0; i < 1_000; i++) await call();
  process.kill(server.pid, "SIGUSR2");
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
if (mode === "pipelined") await pipelined(calls, 64, call);
else for (let i = 0; i < calls; i++) await call();
const ns = Number(process.hrtime.bigint() - start);
const used = process.cpuUsage(cpu);
console.log(
  `${system} ${payloadName} ${mode}: ${calls} calls, ${(ns / calls / 1000).toFixed(2)} µs/call, ${((calls * 1e9) / ns / 1000).toFixed(1)} k calls/s`,
);
if (report) console.log(`client cpu ${((used.user + used.system) / calls).toFixed(2)} µs/call`);
close();
await server.stop();
