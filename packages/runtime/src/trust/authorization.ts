/**
 * Who may call what, under mutual TLS. A replica knows each caller by the group its certificate
 * names (identify), and serves it only the components that some component of that group has a
 * ref to: the app's call graph (callGraphOf), the same graph `weaver callgraph` prints. Main is
 * in a group like any other. Only the deployer's certificate may call the reserved methods
 * (health, metrics, spans, profiles), and it may call nothing else.
 *
 * The check is a wrapper around the replica's RPC handler, one table lookup per call: the
 * allowed components of each group are computed once, as a set of component indices (a call's
 * method id carries its component's index in the manifest, see methodId).
 */
import { RpcSystemError, SystemCode, type Handler } from "@weaver/rpc";
import type { X509Certificate } from "node:crypto";
import { calleesOf, callGraphOf } from "../generated/call-graph.js";
import type { Manifest } from "../generated/manifest.js";
import { DEPLOYER_GROUP, checkIdentity } from "./identity.js";

/** How a replica authorizes its callers. */
export interface CallerPolicy {
  /** Names the group of a verified client certificate, or throws to refuse it (ServerTls.identify). */
  identify(certificate: X509Certificate): string;
  /** Wraps the replica's handler: calls the caller's group may not make are answered UNAUTHORIZED and never run. */
  guard(handler: Handler): Handler;
}

/**
 * The policy of the replicas of `manifest`, where `groups` maps each component to its group, and
 * method ids from `reservedFrom` up are the deployer's.
 */
export function callerPolicy(manifest: Manifest, groups: Readonly<Record<string, string>>, reservedFrom: number): CallerPolicy {
  const graph = callGraphOf(manifest);
  const members = new Map<string, string[]>();
  for (const [component, group] of Object.entries(groups)) (members.get(group) ?? members.set(group, []).get(group)!).push(component);
  const index = new Map(manifest.components.map((c, i) => [c.name, i] as const));
  /** For each group, the indices of the components it may call. */
  const allowed = new Map<string, ReadonlySet<number>>();
  for (const [group, components] of members) {
    allowed.set(group, new Set([...calleesOf(graph, components)].map((callee) => index.get(callee)!)));
  }
  const refuse = (group: string, what: string, why: string): never => {
    throw new RpcSystemError(SystemCode.UNAUTHORIZED, `group ${group} may not call ${what}: ${why}`);
  };
  return {
    identify(certificate) {
      const { group } = checkIdentity(certificate, manifest.app, manifest.versionHash);
      if (group !== DEPLOYER_GROUP && !allowed.has(group))
        throw new Error(`the certificate is of group ${group}, which this app does not have`);
      return group;
    },
    guard(handler) {
      return (payload, call) => {
        const group = call.identity;
        if (group === undefined) return refuse("(none)", "anything", "the caller presented no certificate");
        if (call.method >= reservedFrom) {
          if (group !== DEPLOYER_GROUP) refuse(group, `the deployer's method #${call.method.toString(16)}`, "only the deployer may");
          return handler(payload, call);
        }
        const component = call.method >>> 16;
        if (allowed.get(group)?.has(component) !== true) {
          const name = manifest.components[component]?.name ?? `component #${component}`;
          refuse(
            group,
            name,
            group === DEPLOYER_GROUP
              ? "the deployer calls only the reserved methods"
              : `the call graph (refs) does not allow it: no component of ${group} has a ref to ${name}`,
          );
        }
        return handler(payload, call);
      };
    },
  };
}
