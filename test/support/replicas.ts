/**
 * Replica processes started as a deployer starts them (WEAVER_REPLICA), without a deployer, and
 * the bank test app's components called from the test process through their generated client
 * stubs over real sockets.
 */
import { join } from "node:path";
import { RpcClient } from "@weaver/rpc";
import { DEPLOYER_PROTOCOL_VERSION } from "@weaver/runtime";
import { getComponent, remoteCalls, type RegisteredComponent } from "@weaver/runtime/core";
import "../apps/bank/src/weaver_gen.js";
import type { Audit } from "../apps/bank/src/audit.js";
import type { Ledger } from "../apps/bank/src/ledger.js";
import type { Teller } from "../apps/bank/src/teller.js";
import { ROOT, TestProcess } from "./process.js";

/** The bank test app's entry. */
export const BANK = join(ROOT, "test/apps/bank/dist/main.js");
/** The bank's app version hash, which its processes must agree on. */
export const BANK_VERSION = getComponent("bank/Ledger").app.versionHash;
/** The bank's components other than Main. */
export const BANK_COMPONENTS = ["bank/Ledger", "bank/Audit", "bank/Teller"];

/** A replica process and the Unix socket it serves on. */
export interface Replica {
  readonly id: string;
  readonly address: string;
  readonly process: TestProcess;
}

/** What a replica is told: its deployment, its id, what it hosts and where the others are. */
export interface ReplicaSpec {
  readonly deployment: string;
  readonly id: string;
  readonly hosts: readonly string[];
  readonly routes?: Record<string, readonly { id: string; address: string }[]>;
}

/**
 * Starts one replica of an app entry, hosting `spec.hosts` on a socket in `sockets`, and waits
 * until its output matches `ready` (by default: it serves).
 */
export async function startReplica(
  sockets: string,
  entry: string,
  spec: ReplicaSpec,
  options: { env?: NodeJS.ProcessEnv; ready?: RegExp } = {},
): Promise<Replica> {
  const serves = spec.hosts.some((h) => h !== "weaver/Main");
  const address = `unix:${join(sockets, `${spec.deployment}-${spec.id}.sock`)}`;
  const replicaArgs = {
    protocol: DEPLOYER_PROTOCOL_VERSION,
    deployment: spec.deployment,
    id: spec.id,
    hosts: spec.hosts,
    routes: spec.routes ?? {},
    ...(serves ? { listen: address } : {}),
  };
  const process = new TestProcess("node", [entry], { env: { WEAVER_REPLICA: JSON.stringify(replicaArgs), ...options.env } });
  await process.waitFor(options.ready ?? new RegExp(`replica ${spec.id} serving`));
  return { id: spec.id, address, process };
}

/** The bank's components, called from this process through their generated client stubs. */
export function bankClient(deploymentId: string, replicas: readonly Replica[], options: { version?: string; maxFrameBytes?: number } = {}) {
  const client = new RpcClient({
    deployment: deploymentId,
    version: options.version ?? BANK_VERSION,
    id: "test-process",
    maxFrameBytes: options.maxFrameBytes,
  });
  client.setReplicas(replicas.map((r) => ({ id: r.id, address: { path: r.address.slice("unix:".length) } })));
  const stub = <T>(name: string): T => {
    const component: RegisteredComponent = getComponent(name);
    return component.registration.clientStub(remoteCalls(component, client)) as T;
  };
  return { client, ledger: stub<Ledger>("bank/Ledger"), audit: stub<Audit>("bank/Audit"), teller: stub<Teller>("bank/Teller") };
}
