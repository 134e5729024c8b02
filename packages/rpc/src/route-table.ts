/**
 * Where a routed call goes: the replica of the member its key belongs to (see key-assignment.ts).
 *
 * A client builds one RouteTable per replica set and assignment. A call's key goes to its owner
 * when the owner has a usable replica, otherwise to the member that KeyAssignment.pick ranks next
 * among those that have one; so a replica that is down has its keys served by each key's
 * runner-up and gets them back as soon as it is usable again. Every caller that sees the same
 * replicas up picks the same replica for a key.
 *
 * A replica is usable unless its connection is refused, draining, or failed the last time it was
 * tried: a connection that broke is tried again (a retried call goes to the same replica first),
 * and a replica counts as down only once that fails. A down owner is reconnected in the
 * background while its keys are served elsewhere.
 */
import type { Endpoint } from "./endpoint.js";
import type { KeyAssignment } from "./key-assignment.js";

/** The routes of one replica set under one assignment; constant after construction. */
export class RouteTable {
  /** The assignment keys are routed by. */
  readonly assignment: KeyAssignment;
  /**
   * Whether some replica belongs to a member of the assignment. When none does (no replica
   * carries a member, or none that the assignment knows), no call can be routed: calls are
   * balanced as unrouted ones are.
   */
  readonly routable: boolean;
  /** The replicas of each member: one, or briefly two while a replica is replaced. */
  readonly #byMember = new Map<string, Endpoint[]>();

  /** `endpoints` are the client's, by replica id; `replicas` say which member each belongs to. */
  constructor(
    assignment: KeyAssignment,
    replicas: readonly { readonly id: string; readonly member?: string | undefined }[],
    endpoints: ReadonlyMap<string, Endpoint>,
  ) {
    this.assignment = assignment;
    const members = new Set(assignment.members);
    for (const { id, member } of replicas) {
      const endpoint = endpoints.get(id);
      if (member === undefined || endpoint === undefined || !members.has(member)) continue;
      const list = this.#byMember.get(member);
      if (list === undefined) this.#byMember.set(member, [endpoint]);
      else list.push(endpoint);
    }
    this.routable = this.#byMember.size > 0;
  }

  /**
   * The replica a call with key hash `key` goes to: the usable replica (preferably ready) of the
   * first member in the key's ranking that has one among those `allowed`; undefined when none has.
   */
  route(key: number, allowed?: (e: Endpoint) => boolean): Endpoint | undefined {
    // The common case, without a closure: the owner is up.
    const owner = this.assignment.owner(key);
    const first = owner === undefined ? undefined : this.#replicaOf(owner, allowed);
    if (first !== undefined || owner === undefined) return first;
    // The owner is down: try it again in the background (its connection backs off), so that it
    // takes its keys back as soon as it answers.
    for (const e of this.#byMember.get(owner) ?? []) if (e.connectable) e.connect().catch(() => {});
    const member = this.assignment.pick(key, (m) => this.#replicaOf(m, allowed) !== undefined);
    return member === undefined ? undefined : this.#replicaOf(member, allowed);
  }

  /** The usable replica of `member` among those `allowed`, a ready one first. */
  #replicaOf(member: string, allowed: ((e: Endpoint) => boolean) | undefined): Endpoint | undefined {
    const list = this.#byMember.get(member);
    if (list === undefined) return undefined;
    let found: Endpoint | undefined;
    for (const e of list) {
      if (!usable(e) || (allowed !== undefined && !allowed(e))) continue;
      if (e.state === "ready") return e;
      found ??= e;
    }
    return found;
  }
}

/** Whether a replica may take routed calls: it is up, or may be, having not failed since it was. */
export function usable(e: Endpoint): boolean {
  switch (e.state) {
    case "ready":
      return true;
    case "idle":
    case "connecting":
    case "closed":
      return e.lastError === undefined;
    default:
      // Refused for good, or draining: it turns new calls away.
      return false;
  }
}
