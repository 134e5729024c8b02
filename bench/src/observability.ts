/**
 * The cost of observability: component calls with the method metrics recorded and requests
 * sampled for tracing at the default rate (about one trace per second), against the same calls
 * with neither. Each operation runs as a request would: the sampler decides whether it starts a
 * trace, and a sampled one records spans for its calls. Target: within 10% (ratio at most 1.1
 * for times, at least 0.9 for rates).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { SpanKind } from "@opentelemetry/api";
import { RpcClient, privateSocketDir } from "@weaver/rpc";
import { DEPLOYER_PROTOCOL_VERSION } from "@weaver/runtime";
import {
  DEFAULT_TRACES_PER_SECOND,
  LocalCalls,
  enterSpan,
  getComponent,
  installTracing,
  remoteCalls,
  startEntrySpan,
  takeSpans,
} from "@weaver/runtime/core";
import "echo/dist/weaver_gen.js";
import type { Echo } from "echo/dist/echo.js";
import "reverser/dist/weaver_gen.js";
import { ReverserImpl } from "reverser/dist/reverser.js";
import type { Reverser } from "reverser/dist/reverser.js";
import { measure, measureThroughput, type Result } from "./harness.js";
import { startServer, stopAll, type ServerProcess } from "./procs.js";

/** Runs `call` as a request: in a trace when the sampler picks it. */
function asRequest<T>(call: () => Promise<T>): Promise<T> {
  const span = startEntrySpan("request", SpanKind.SERVER, undefined, true);
  if (span === undefined) return call();
  return enterSpan(span, call).finally(() => span.end());
}

/** Runs the observability cases. */
export async function observabilityCases(log: (line: string) => void = () => {}): Promise<Result[]> {
  installTracing(DEFAULT_TRACES_PER_SECOND);
  // Spans wait for a deployer that never comes here: drop them now and then, as it would take them.
  const drain = setInterval(() => takeSpans(), 1_000);
  const results: Result[] = [];
  const servers: ServerProcess[] = [];
  const dir = privateSocketDir("wo-");
  try {
    const reverser = getComponent("reverser/Reverser");
    const impl = new ReverserImpl();
    const stub = (caller: string | undefined): Reverser =>
      reverser.registration.localStub(
        impl,
        new LocalCalls(reverser.manifest.name, reverser.manifest.methods, caller === undefined ? {} : { caller }),
      ) as Reverser;
    const on = stub("bench/Caller");
    const off = stub(undefined);
    results.push(
      await measure({
        name: "local call, metrics + default sampling",
        baseline: "local call, neither",
        target: { ratio: 1.1, kind: "max" },
        candidate: async (n) => {
          for (let i = 0; i < n; i++) await asRequest(() => on.reverse("abcdefg"));
        },
        reference: async (n) => {
          for (let i = 0; i < n; i++) await off.reverse("abcdefg");
        },
      }),
    );

    const socket = join(dir, "echo.sock");
    servers.push(
      await startServer({
        name: "weaver-echo",
        script: new URL(import.meta.resolve("echo/dist/main.js")),
        env: {
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
      }),
    );
    const echo = getComponent("echo/Echo");
    const client = new RpcClient({ deployment: "bench", version: echo.app.versionHash, id: "bench" });
    client.setReplicas([{ id: "e1", address: { path: socket } }]);
    try {
      const observed = echo.registration.clientStub(remoteCalls(echo, client, { caller: "bench/Caller" })) as Echo;
      const plain = echo.registration.clientStub(remoteCalls(echo, client, { observe: false })) as Echo;
      log("echo replica up; measuring observability on vs off");
      results.push(
        await measureThroughput({
          name: "remote call throughput, metrics + default sampling",
          baseline: "remote calls, neither",
          target: { ratio: 0.9, kind: "min" },
          ops: 20_000,
          candidate: () => asRequest(() => observed.echo("weaver-echo-0001")),
          reference: () => plain.echo("weaver-echo-0001"),
        }),
      );
    } finally {
      client.close();
    }
  } finally {
    clearInterval(drain);
    await stopAll(servers);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
