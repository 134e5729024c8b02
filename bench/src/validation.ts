/**
 * The cost of checked arguments and results: remote calls through the whole stack (generated
 * client stub → codec → RpcClient → Unix socket → a server process → componentHandler → server
 * stub → local stub → implementation, and back) with the generated checks on (arguments at the
 * server, results at the client) against the same calls with both off (an internal option of
 * componentHandler and remoteCalls, for this benchmark only). Candidate and baseline alternate
 * rounds against the same server process. Target: a small call keeps at least 95% of its
 * throughput (ratio at least 0.95).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { RpcClient, privateSocketDir } from "@weaver/rpc";
import { getComponent, remoteCalls, type RegisteredComponent } from "@weaver/runtime/core";
import "bank/dist/weaver_gen.js";
import type { Receipt, Teller } from "bank/dist/teller.js";
import "echo/dist/weaver_gen.js";
import type { Echo } from "echo/dist/echo.js";
import { measureLatency, measureThroughput, type Result } from "./harness.js";
import { onOneCpu, startServer, stopAll, type ServerProcess } from "./procs.js";

const SMALL = "weaver-echo-0001"; // 16 characters
const BYTES_10K = Uint8Array.from({ length: 10_240 }, (_, i) => (i * 31) & 0xff);
const RECEIPT: Receipt = { from: "alice", to: "bob", amount: 42, fee: 1, bank: "Bench Bank" };
const IN_FLIGHT = 64;

/** Runs the validation cases. */
export async function validationCases(log: (line: string) => void = () => {}): Promise<Result[]> {
  const dir = privateSocketDir("wv-");
  const servers: ServerProcess[] = [];
  const clients: RpcClient[] = [];
  try {
    servers.push(
      await startServer({
        name: "validation-servers",
        script: new URL("./validation-server.js", import.meta.url),
        env: { VALIDATION_SOCKETS: dir },
        ready: "validation servers serving",
      }),
    );
    const server = servers[0]!;
    /** The generated client stub of `name`, over its own connection to the server with checks `on` or off. */
    const stub = <T>(app: string, name: string, on: boolean): T => {
      const component: RegisteredComponent = getComponent(name);
      const client = new RpcClient({ deployment: "bench", version: component.app.versionHash, id: `bench-${app}-${on}` });
      client.setReplicas([{ id: `${app}-${on ? "on" : "off"}`, address: { path: join(dir, `${app}-${on ? "on" : "off"}.sock`) } }]);
      clients.push(client);
      return component.registration.clientStub(remoteCalls(component, client, { validate: on })) as T;
    };
    const echoOn = stub<Echo>("echo", "echo/Echo", true);
    const echoOff = stub<Echo>("echo", "echo/Echo", false);
    const tellerOn = stub<Teller>("bank", "bank/Teller", true);
    const tellerOff = stub<Teller>("bank", "bank/Teller", false);
    const expected = await tellerOff.reprint(RECEIPT);
    if ((await echoOn.echo(SMALL)) !== SMALL || (await tellerOn.reprint(RECEIPT)) !== expected) {
      throw new Error("the checked servers do not answer as the unchecked ones do");
    }
    log(`validation servers up (pid ${server.pid}); measuring checks on vs off`);

    const target = { ratio: 0.95, kind: "min" } as const;
    const baseline = "same calls, unchecked";
    const results: Result[] = [];
    const cases = [
      { label: "Echo.echo(16-char string)", on: () => echoOn.echo(SMALL), off: () => echoOff.echo(SMALL), ops: 20_000 },
      { label: "Teller.reprint(5-field object)", on: () => tellerOn.reprint(RECEIPT), off: () => tellerOff.reprint(RECEIPT), ops: 20_000 },
      { label: "Echo.echoBytes(10 KB)", on: () => echoOn.echoBytes(BYTES_10K), off: () => echoOff.echoBytes(BYTES_10K), ops: 8_000 },
    ];
    for (const c of cases) {
      results.push(
        await measureThroughput({
          name: `${c.label}: throughput, ${IN_FLIGHT} in flight`,
          baseline,
          target,
          candidate: c.on,
          reference: c.off,
          inFlight: IN_FLIGHT,
          ops: c.ops,
          rounds: 9,
        }),
      );
      log(`${c.label}: throughput measured`);
    }
    // Sequential latency of the small call, both ends pinned to one CPU (see onOneCpu): shown, no target.
    const latency = await onOneCpu([process.pid, server.pid], () =>
      measureLatency({
        name: `${cases[0]!.label}: latency`,
        baseline,
        candidate: cases[0]!.on,
        reference: cases[0]!.off,
        ops: 2_000,
        rounds: 8,
      }),
    );
    results.push(...latency.value.map((r) => ({ ...r, name: latency.pinned ? `${r.name} (pinned)` : r.name })));
    return results;
  } finally {
    for (const client of clients) client.close();
    await stopAll(servers);
    rmSync(dir, { recursive: true, force: true });
  }
}
