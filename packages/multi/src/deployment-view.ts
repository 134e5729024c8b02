/**
 * What a Deployment computes from its plain state, kept out of deployment.ts: its status (for the
 * status server and the manager's records), each group's routes, and its CA under mutual TLS.
 */
import {
  DeploymentTrust,
  compareComponents,
  configSections,
  mtlsByDefault,
  parseDuration,
  routingStatus,
  sectionOf,
  shortName,
  type AppConfig,
  type Assignments,
  type CallGraph,
  type ComponentManifest,
  type DeploymentStatus,
  type Manifest,
  type RouteEntry,
  type SignReply,
  type SignRequest,
  calleesOf,
} from "@weaver/runtime";
import { DEPLOYER } from "./deployer-name.js";
import { MULTI_SECTION, type Group } from "./groups.js";
import type { ReplicaSlot } from "./replica.js";

/** The state a deployment's status is made of. */
export interface StatusView {
  readonly app: string;
  readonly id: string;
  readonly started: number;
  readonly config: AppConfig;
  readonly manifest: Manifest;
  readonly groups: readonly Group[];
  readonly slots: readonly ReplicaSlot[];
  /** The addresses clients use, by listener name. */
  readonly listeners: Readonly<Record<string, string>>;
  readonly graph: CallGraph;
  /** The assignments of the routed components. */
  readonly assignments: Assignments;
}

/** The status of a deployment whose deployer is this process. */
export function statusOf(v: StatusView): DeploymentStatus {
  const groupOf = new Map(v.groups.flatMap((g) => g.components.map((c) => [c, g.name] as const)));
  return {
    app: v.app,
    deployment: v.id,
    started: v.started,
    pid: process.pid,
    configFile: v.config.file,
    config: configSections(v.config, DEPLOYER),
    groups: v.groups.map((g) => ({
      name: g.name,
      components: g.components,
      replicas: v.slots
        .filter((s) => s.group === g)
        .map((s) => ({ id: s.id, pid: s.pid, state: s.state, started: s.started, restarts: s.restarts })),
    })),
    components: [...v.manifest.components]
      .sort((a: ComponentManifest, b: ComponentManifest) => compareComponents(a.name, b.name))
      .map((c) => ({ name: c.name, short: shortName(c.name), group: groupOf.get(c.name) ?? "" })),
    listeners: Object.entries(v.listeners)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, address]) => ({ name, address })),
    callGraph: v.graph.edges,
    // How the keys of each routed component are spread over its group's slots now.
    routing: Object.entries(v.assignments).map(([component, assignment]) =>
      routingStatus(
        component,
        assignment,
        v.slots
          .filter((s) => s.group.components.includes(component))
          .map((s) => ({ member: s.member, ...(s.id === "" ? {} : { replica: s.id }), up: s.state === "ready" })),
      ),
    ),
  };
}

/** What startTrust needs. */
export interface TrustOptions {
  readonly config: AppConfig;
  readonly manifest: Manifest;
  readonly deployment: string;
  readonly groups: readonly Group[];
  /** A replica's socket: its transport decides whether mutual TLS is on by default. */
  readonly endpoint: string;
  readonly warn: (message: string) => void;
}

/**
 * Makes and starts the deployment's CA and the deployer's own certificate when [multi] mtls is on
 * (by default as the transport of a replica's socket says); undefined when it is off.
 */
export async function startTrust(o: TrustOptions): Promise<DeploymentTrust | undefined> {
  const multi = sectionOf(o.config, MULTI_SECTION);
  if (!(multi.mtls ?? mtlsByDefault(o.endpoint))) return undefined;
  const groups: Record<string, string> = {};
  for (const g of o.groups) for (const c of g.components) groups[c] = g.name;
  const lifetime = multi.cert_lifetime === undefined ? undefined : parseDuration(multi.cert_lifetime);
  const trust = new DeploymentTrust({
    manifest: o.manifest,
    deployment: o.deployment,
    groups,
    ...(lifetime === undefined ? {} : { certificateLifetimeMs: lifetime }),
    warn: o.warn,
  });
  await trust.start();
  return trust;
}

/** The live replicas of every component a group calls and does not host. */
export function routesOf(graph: CallGraph, slots: readonly ReplicaSlot[], group: Group): Record<string, RouteEntry[]> {
  const routes: Record<string, RouteEntry[]> = {};
  for (const callee of calleesOf(graph, group.components)) {
    if (group.components.includes(callee)) continue;
    routes[callee] = slots
      .filter((s) => s.state === "ready" && s.group.components.includes(callee))
      .map((s) => ({ id: s.id, address: s.address, member: s.member }));
  }
  return routes;
}

/** Signs a replica's key for the group of its slot; a process the deployer did not start gets nothing. */
export function signFor(trust: DeploymentTrust, slots: readonly ReplicaSlot[], deployment: string, request: SignRequest): SignReply {
  const slot = slots.find((s) => s.id === request.id && s.state !== "stopped");
  if (slot === undefined)
    throw new Error(`no replica ${String(request.id)} runs in deployment ${deployment}: no certificate is signed for it`);
  return trust.sign(request.publicKey, slot.group.name);
}
