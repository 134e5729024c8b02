// Main prints one echo, then serves the deployed-calls benchmark (bench/src/deployed.ts) on its
// `bench` listener: each GET /round?kind=latency|throughput&n=N runs one round of calls to Echo
// from this process (rounds.ts) and answers how long they took, as {"ns": ...}. Timing inside
// Main keeps HTTP out of the measurement, and the caller is a real Main in a real deployment,
// with its call context, metrics and tracing.
import http from "node:http";
import { Implements, listener, ref, run, type Main } from "@weaver/core";
import type { Echo } from "./echo.js";
import { ROW, timeRound } from "./rounds.js";
import "./weaver_gen.js";

export class App extends Implements<Main>() {
  echo = ref<Echo>();
  bench = listener();

  async main(): Promise<void> {
    console.log(await this.echo.get().echo("hello"));
    const echo = this.echo.get();
    const server = http.createServer((req, res) => {
      const q = new URL(req.url ?? "/", "http://localhost").searchParams;
      timeRound(() => echo.echoRow(ROW), q.get("kind") ?? "latency", Number(q.get("n") ?? "1")).then(
        (ns) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ns })),
        (e: Error) => res.writeHead(500).end(`${e.message}\n`),
      );
    });
    server.listen(this.bench);
  }
}

await run(App);
