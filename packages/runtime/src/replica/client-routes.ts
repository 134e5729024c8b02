/**
 * How a replica hands the routes its deployer sends (ReplicaArgs at start, then every RoutesReply)
 * to the RPC client of each component it calls: the live replicas, each with its member name, and
 * for a routed component the KeyAssignment of its members (see "Routing keys" in
 * deployer-protocol.ts).
 *
 * Building a KeyAssignment ranks every member for each of its 4096 slots (0.25 ms for 3 members,
 * 1.5 ms for 64), so one is built only when a component's assignment changes version or members;
 * routes that only change which replicas are up reuse it. Every replica that knows the same
 * members builds the same one.
 */
import { KeyAssignment, parseEndpoint, type ReplicaAddress, type RpcClient } from "@weaver/rpc";
import type { AssignmentArgs, RouteEntry } from "./replica-args.js";

/** The KeyAssignment of each routed component a replica calls, kept across route changes. */
export class ClientRoutes {
  readonly #assignments = new Map<string, KeyAssignment>();

  /**
   * Gives `client`, the client of `component`, its replicas and, when the component is routed,
   * its assignment; without one, calls are balanced per call as before.
   */
  apply(client: RpcClient, component: string, entries: readonly RouteEntry[], assignment: AssignmentArgs | undefined): void {
    const replicas = entries.map(
      (r): ReplicaAddress => ({ id: r.id, address: parseEndpoint(r.address)!, ...(r.member === undefined ? {} : { member: r.member }) }),
    );
    client.setReplicas(replicas, this.assignment(component, assignment));
  }

  /** The KeyAssignment of `component` for `wire`, the one already built when nothing changed; undefined when unrouted. */
  assignment(component: string, wire: AssignmentArgs | undefined): KeyAssignment | undefined {
    if (wire === undefined) {
      this.#assignments.delete(component);
      return undefined;
    }
    const current = this.#assignments.get(component);
    if (
      current !== undefined &&
      current.version === wire.version &&
      current.members.length === wire.members.length &&
      current.members.every((m, i) => m === wire.members[i])
    ) {
      return current;
    }
    const next = new KeyAssignment(wire.members, wire.version);
    this.#assignments.set(component, next);
    return next;
  }
}
