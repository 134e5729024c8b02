/**
 * What mutual TLS costs a remote call: bench/echo's Echo through the whole stack (generated
 * client stub, RpcClient, TCP on 127.0.0.1, a weavelet process, server stub), once to a replica
 * serving mutual TLS with certificates of a deployment's CA and the call graph's authorization,
 * and once to a replica serving plain TCP; same machine, same run, alternating rounds. This
 * process is the deployer of both replicas (its control server signs the mTLS replica's key) and
 * calls Echo as the Main group would. Target: mTLS keeps at least 75% of the small-call
 * throughput (costs at most 25%).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { RpcClient, privateSocketDir, type ClientTls } from "@weaver/rpc";
import { ControlServer, DEPLOYER_PROTOCOL_VERSION, DeploymentTrust, Routing, generateKeyPair, identityOf } from "@weaver/runtime";
import { getComponent, remoteCalls } from "@weaver/runtime/core";
import "echo/dist/weaver_gen.js";
import type { Echo } from "echo/dist/echo.js";
import { measureLatency, measureThroughput, pipelined, type Result } from "./harness.js";
import { freePort, startServer, stopAll, type ServerProcess } from "./procs.js";

const SMALL = "weaver-echo-0001"; // 16 characters, as bench/src/rpc.ts
const IN_FLIGHT = 64;
const GROUPS = { "weaver/Main": "weaver.Main", "echo/Echo": "echo.Echo" };

/** Runs the mTLS cases; returns their results. */
export async function mtlsCases(log: (line: string) => void = () => {}): Promise<Result[]> {
  const component = getComponent("echo/Echo");
  const manifest = component.app;
  const deployment = "bench-mtls";
  const dir = privateSocketDir("wbm-");
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  const trust = new DeploymentTrust({ manifest, deployment, groups: GROUPS });
  const routing = new Routing();
  const control = new ControlServer(
    { deployment, version: manifest.versionHash },
    {
      ready: () => {},
      refused: () => {},
      watchRoutes: (r) => routing.watch(r.version, () => ({})),
      sign: (r) => trust.sign(r.publicKey, "echo.Echo"),
    },
  );
  const servers: ServerProcess[] = [];
  const clients: RpcClient[] = [];
  try {
    await trust.start();
    await control.listen(`unix:${join(dir, "control.sock")}`);
    const replica = async (id: string, mtls: boolean): Promise<{ server: ServerProcess; port: number }> => {
      const port = await freePort();
      const args = {
        protocol: DEPLOYER_PROTOCOL_VERSION,
        deployment,
        id,
        hosts: ["echo/Echo"],
        listen: `tcp:127.0.0.1:${port}`,
        routes: {},
        control: `unix:${join(dir, "control.sock")}`,
        ...(mtls ? { mtls: trust.mtlsArgs() } : {}),
      };
      const server = await startServer({
        name: id,
        script: new URL(import.meta.resolve("echo/dist/main.js")),
        // Under a deployer the "serving" line is a debug line; both replicas log the same.
        env: { WEAVER_REPLICA: JSON.stringify(args), WEAVER_LOG_LEVEL: "debug" },
        ready: `replica ${id} serving`,
      });
      servers.push(server);
      return { server, port };
    };
    const [secure, plain] = await Promise.all([replica("mtls", true), replica("plain", false)]);

    // The caller's certificate: the Main group's, as a replica of Main would have it signed.
    const { privateKey, publicKey } = generateKeyPair();
    const signed = trust.sign(publicKey.export({ type: "spki", format: "pem" }) as string, "weaver.Main");
    const tls: ClientTls = {
      ca: signed.ca,
      cert: signed.certificate,
      key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      checkServer: (c) => (identityOf(c)?.group === "echo.Echo" ? undefined : new Error("not Echo's replica")),
    };
    const stub = (id: string, port: number, clientTls?: ClientTls): ((s: string) => Promise<string>) => {
      const client = new RpcClient({ deployment, version: manifest.versionHash, id: "bench", ...(clientTls ? { tls: clientTls } : {}) });
      client.setReplicas([{ id, address: { host: "127.0.0.1", port } }]);
      clients.push(client);
      const echo = component.registration.clientStub(remoteCalls(component, client)) as Echo;
      return (s) => echo.echo(s);
    };
    const overTls = stub("mtls", secure.port, tls);
    const overTcp = stub("plain", plain.port);
    for (const call of [overTls, overTcp]) {
      if ((await call(SMALL)) !== SMALL) throw new Error("the echo replica did not echo");
      await pipelined(10_000, IN_FLIGHT, () => call(SMALL));
    }
    log(`replicas up and warm (pids ${servers.map((s) => `${s.name} ${s.pid}`).join(", ")}); measuring`);
    const results = [
      await measureThroughput({
        name: `small (16-char string): throughput, ${IN_FLIGHT} in flight`,
        baseline: "plain TCP",
        candidate: () => overTls(SMALL),
        reference: () => overTcp(SMALL),
        target: { ratio: 0.75, kind: "min" },
        inFlight: IN_FLIGHT,
        ops: 20_000,
        rounds: 9,
      }),
      ...(await measureLatency({
        name: "small (16-char string): latency",
        baseline: "plain TCP",
        candidate: () => overTls(SMALL),
        reference: () => overTcp(SMALL),
        ops: 1_000,
        rounds: 6,
      })),
    ];
    return results;
  } finally {
    for (const c of clients) c.close();
    await stopAll(servers);
    routing.close();
    trust.close();
    await control.close();
    removeDir();
  }
}
