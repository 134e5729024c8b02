/**
 * Remote calls from a real deployment, measured as an outside benchmark would: `weaver multi
 * deploy` of bench/echo with 1 replica per group, whose Main calls Echo.echoRow (a six-field
 * object) through its own stub, timed inside Main (bench/echo/src/main.ts), against a raw msgpackr
 * echo of the same object between two plain processes (this one and raw-echo-server.js) over a
 * Unix socket, timed the same way (bench/echo/src/rounds.ts). Alternating rounds, nothing pinned:
 * the caller is a real Main, with its call context, metrics and tracing. Targets as for the rpc
 * section: p50 at most 1.3x, throughput at least 0.7x.
 */
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { privateSocketDir } from "@weaver/rpc";
import { ROW, timeRound } from "echo/dist/rounds.js";
import type { Result } from "./harness.js";
import { start, stop, type BenchApp, type Running } from "./multi.js";
import { startServer, type ServerProcess } from "./procs.js";
import { RawEchoClient } from "./raw-echo.js";

/** bench/echo, whose Main serves rounds on its `bench` listener. */
const ECHO_APP: BenchApp = {
  binary: fileURLToPath(import.meta.resolve("echo/dist/main.js")),
  listener: "bench",
  probe: "/round?kind=latency&n=1",
};

/** Options of the deployed-calls cases. */
export interface DeployedOptions {
  /** Rounds of each system per measurement (default 8 for latency, of which the first is a warm-up, and 7 for throughput). */
  readonly rounds?: number;
  /** Calls per latency round (default 1 000) and per throughput round (default 20 000). */
  readonly latencyOps?: number;
  readonly throughputOps?: number;
}

const agent = new http.Agent({ keepAlive: true });

/** Asks Main for one round; resolves with its `ns` answer. */
function askMain(port: number, query: string): Promise<number | number[]> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: `/round?${query}`, agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (s: string) => (body += s));
        res.once("end", () =>
          res.statusCode === 200
            ? resolve((JSON.parse(body) as { ns: number | number[] }).ns)
            : reject(new Error(`round ${query}: ${body.trim()}`)),
        );
      })
      .once("error", reject);
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** The p-th percentile (nearest rank) of numbers. */
function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] as number;
}

/** Runs the deployed-calls cases; prints progress with `progress`. */
export async function deployedCases(progress: (line: string) => void, options: DeployedOptions = {}): Promise<Result[]> {
  const latencyOps = options.latencyOps ?? 1_000;
  const throughputOps = options.throughputOps ?? 20_000;
  const data = mkdtempSync(join(tmpdir(), "weaver-bench-deployed-"));
  const sockets = privateSocketDir("wb-");
  const rawSocket = join(sockets, "raw.sock");
  let raw: ServerProcess | undefined;
  let rawClient: RawEchoClient | undefined;
  let deployed: Running | undefined;
  try {
    raw = await startServer({
      name: "raw-echo",
      script: new URL("./raw-echo-server.js", import.meta.url),
      env: { RAW_ECHO_SOCKET: rawSocket },
      ready: "raw echo serving",
    });
    deployed = await start("multi", data, "replicas = 1\n", ECHO_APP);
    const port = deployed.port;
    const client = await RawEchoClient.connect(rawSocket);
    rawClient = client;
    const systems = {
      weaver: (kind: string, n: number) => askMain(port, `kind=${kind}&n=${n}`),
      raw: (kind: string, n: number) => timeRound(() => client.call(ROW), kind, n),
    };
    // Warm-up: JIT, connections, buffers on both paths.
    for (const run of Object.values(systems)) {
      await run("throughput", throughputOps / 2);
      await run("latency", latencyOps);
    }
    progress(`weaver multi deploy of bench/echo up (deployer pid ${deployed.child.pid}); measuring`);

    const latency = { weaver: [] as number[], raw: [] as number[] };
    for (let i = 0; i < (options.rounds ?? 8); i++) {
      for (const name of ["weaver", "raw"] as const) {
        const ns = (await systems[name]("latency", latencyOps)) as number[];
        if (i > 0) latency[name].push(...ns);
      }
    }
    const throughput = { weaver: [] as number[], raw: [] as number[] };
    for (let i = 0; i < (options.rounds ?? 7); i++) {
      for (const name of ["weaver", "raw"] as const) {
        throughput[name].push(((await systems[name]("throughput", throughputOps)) as number) / throughputOps);
      }
    }
    const name = "Main → Echo.echoRow(six-field object), weaver multi deploy, 1 replica per group";
    const baseline = "raw msgpackr echo";
    const latencyRow = (p: number, target?: Result["target"]): Result => {
      const ns = percentile(latency.weaver, p);
      const baselineNs = percentile(latency.raw, p);
      return { name: `${name}: latency p${p}`, baseline, ns, baselineNs, ratio: ns / baselineNs, ...(target ? { target } : {}) };
    };
    const ns = median(throughput.weaver);
    const baselineNs = median(throughput.raw);
    return [
      latencyRow(50, { ratio: 1.3, kind: "max" }),
      latencyRow(99),
      {
        name: `${name}: throughput, 64 in flight`,
        baseline,
        ns,
        baselineNs,
        ratio: baselineNs / ns,
        unit: "rate",
        target: { ratio: 0.7, kind: "min" },
      },
    ];
  } finally {
    rawClient?.close();
    if (deployed !== undefined) await stop(deployed);
    await raw?.stop();
    rmSync(data, { recursive: true, force: true });
    rmSync(sockets, { recursive: true, force: true });
  }
}
