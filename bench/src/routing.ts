/**
 * The cost of routing: calls to bench/echo's Echo over 2 replica processes, `echoRouted` (routed
 * by its argument through EchoRouter: router key function, hashKey, KeyAssignment.pick, the
 * key's replica) against `echo` (the same work, balanced per call), both through the generated
 * client stub of one RpcClient that has the replicas' members and a KeyAssignment, as a weavelet
 * calling a routed component has. The calls cycle over 256 keys, so both spread over both
 * replicas. Candidate and baseline alternate rounds. Target: routed throughput within 10% of
 * unrouted (ratio at least 0.9).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { KeyAssignment, RpcClient, privateSocketDir } from "@weaver/rpc";
import { DEPLOYER_PROTOCOL_VERSION } from "@weaver/runtime";
import { getComponent, remoteCalls } from "@weaver/runtime/core";
import "echo/dist/weaver_gen.js";
import type { Echo } from "echo/dist/echo.js";
import { measureLatency, measureThroughput, type Result } from "./harness.js";
import { onOneCpu, startServer, stopAll, type ServerProcess } from "./procs.js";

const KEYS = Array.from({ length: 256 }, (_, i) => `user-${String(i).padStart(4, "0")}`);
const IN_FLIGHT = 64;
const MEMBERS = ["echo.Echo/0", "echo.Echo/1"];

/** Runs the routing cases. */
export async function routingCases(log: (line: string) => void = () => {}): Promise<Result[]> {
  const dir = privateSocketDir("wr-");
  const servers: ServerProcess[] = [];
  const component = getComponent("echo/Echo");
  const client = new RpcClient({ deployment: "bench", version: component.app.versionHash, id: "bench" });
  try {
    const replicas = MEMBERS.map((member, i) => ({ id: `e${i}`, member, socket: join(dir, `e${i}.sock`) }));
    servers.push(
      ...(await Promise.all(
        replicas.map((r) =>
          startServer({
            name: `weaver-echo-${r.id}`,
            script: new URL(import.meta.resolve("echo/dist/main.js")),
            env: {
              WEAVER_REPLICA: JSON.stringify({
                protocol: DEPLOYER_PROTOCOL_VERSION,
                deployment: "bench",
                id: r.id,
                hosts: ["echo/Echo"],
                listen: `unix:${r.socket}`,
                routes: {},
              }),
            },
            ready: `replica ${r.id} serving`,
          }),
        ),
      )),
    );
    client.setReplicas(
      replicas.map((r) => ({ id: r.id, address: { path: r.socket }, member: r.member })),
      new KeyAssignment(MEMBERS, 1),
    );
    const echo = component.registration.clientStub(remoteCalls(component, client)) as Echo;
    let i = 0;
    let j = 0;
    const routed = (): Promise<string> => echo.echoRouted(KEYS[i++ % KEYS.length] as string);
    const unrouted = (): Promise<string> => echo.echo(KEYS[j++ % KEYS.length] as string);
    if ((await routed()) !== KEYS[0] || (await unrouted()) !== KEYS[0]) throw new Error("the echo replicas do not echo");
    log(`echo replicas up (pids ${servers.map((s) => s.pid).join(", ")}); measuring routed vs unrouted calls`);

    const baseline = "same calls, unrouted";
    const results: Result[] = [
      await measureThroughput({
        name: `Echo, 2 replicas, 256 keys: throughput, ${IN_FLIGHT} in flight`,
        baseline,
        target: { ratio: 0.9, kind: "min" },
        candidate: routed,
        reference: unrouted,
        inFlight: IN_FLIGHT,
        ops: 20_000,
        rounds: 9,
      }),
    ];
    log("throughput measured");
    // Sequential latency, everything pinned to one CPU (see onOneCpu): shown, no target.
    const latency = await onOneCpu([process.pid, ...servers.map((s) => s.pid)], () =>
      measureLatency({ name: "Echo, 2 replicas: latency", baseline, candidate: routed, reference: unrouted, ops: 2_000, rounds: 8 }),
    );
    results.push(...latency.value.map((r) => ({ ...r, name: latency.pinned ? `${r.name} (pinned)` : r.name })));
    return results;
  } finally {
    client.close();
    await stopAll(servers);
    rmSync(dir, { recursive: true, force: true });
  }
}
