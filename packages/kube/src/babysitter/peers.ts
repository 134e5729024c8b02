/**
 * Peers: the pods of an app version that can take calls, by group. A pod is a peer when it is
 * Running, has an IP, is not terminating and its Ready condition is True (the kubelet sets it when
 * the babysitter's /readyz answers 200, so a peer's replica is ready and listed its own peers).
 */
import type { V1Pod } from "@kubernetes/client-node";
import { LABELS, RPC_PORT, RPC_PORT_NAME } from "../wiring.js";

/** A ready pod, as routes name it. */
export interface Peer {
  /** The pod's name: the route's id, and its member for routed components. */
  readonly name: string;
  /** Where its replica serves RPC: tcp:<podIP>:<its weaver-rpc container port>. */
  readonly address: string;
}

/** Whether a pod can take calls now. */
export function isReady(pod: V1Pod): boolean {
  const status = pod.status;
  return (
    status?.phase === "Running" &&
    typeof status.podIP === "string" &&
    status.podIP !== "" &&
    pod.metadata?.deletionTimestamp == null &&
    (status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

/** The RPC port of a pod: its container port named RPC_PORT_NAME, else RPC_PORT. */
export function rpcPort(pod: V1Pod): number {
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === RPC_PORT_NAME) return p.containerPort;
  }
  return RPC_PORT;
}

/** The ready pods by group label, each list sorted by pod name. */
export function peersOf(pods: Iterable<V1Pod>): Map<string, Peer[]> {
  const peers = new Map<string, Peer[]>();
  for (const pod of pods) {
    const group = pod.metadata?.labels?.[LABELS.group];
    const name = pod.metadata?.name;
    if (group === undefined || name === undefined || !isReady(pod)) continue;
    const ip = pod.status?.podIP as string;
    const host = ip.includes(":") ? `[${ip}]` : ip;
    let list = peers.get(group);
    if (list === undefined) peers.set(group, (list = []));
    list.push({ name, address: `tcp:${host}:${rpcPort(pod)}` });
  }
  for (const list of peers.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return peers;
}

/** Whether two peer sets are the same. */
export function samePeers(a: ReadonlyMap<string, readonly Peer[]>, b: ReadonlyMap<string, readonly Peer[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [group, list] of a) {
    const other = b.get(group);
    if (other === undefined || other.length !== list.length) return false;
    if (list.some((p, i) => p.name !== other[i]?.name || p.address !== other[i]?.address)) return false;
  }
  return true;
}
