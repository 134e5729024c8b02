/**
 * How the keys of a deployment's routed components are spread over their replicas, for the
 * status (RoutingStatus): each member's share of the key slots, and which member serves each slot
 * now, computed exactly as every caller picks (KeyAssignment.pick), so the status shows where
 * calls go while a replica is down.
 */
import { KeyAssignment } from "@weaver/rpc";
import type { AssignmentArgs } from "../replica/replica-args.js";
import type { RoutingStatus } from "./deployment-status.js";

/** A member of an assignment as its deployer knows it now. */
export interface MemberState {
  readonly member: string;
  /** The id of the slot's current process, when it has one. */
  readonly replica?: string;
  /** Whether the member's replica is in the routes callers have (ready). */
  readonly up: boolean;
}

/** Built once per assignment (Routing makes a new object whenever members change). */
const built = new WeakMap<AssignmentArgs, KeyAssignment>();

/** The status of routed `component`, whose assignment is `assignment`, with its members' states now. */
export function routingStatus(component: string, assignment: AssignmentArgs, states: readonly MemberState[]): RoutingStatus {
  let keys = built.get(assignment);
  if (keys === undefined) {
    keys = new KeyAssignment(assignment.members, assignment.version);
    built.set(assignment, keys);
  }
  const owned = keys.spread();
  const slots = [...owned.values()].reduce((a, b) => a + b, 0);
  const state = new Map(states.map((s) => [s.member, s]));
  const up = (member: string): boolean => state.get(member)?.up === true;
  const serving = new Map<string, number>();
  // A hash below the slot count is its own slot.
  for (let slot = 0; slot < slots; slot++) {
    const m = keys.pick(slot, up);
    if (m !== undefined) serving.set(m, (serving.get(m) ?? 0) + 1);
  }
  return {
    component,
    version: assignment.version,
    slots,
    members: assignment.members.map((member) => {
      const s = state.get(member);
      return {
        member,
        ...(s?.replica === undefined ? {} : { replica: s.replica }),
        up: s?.up === true,
        owned: owned.get(member) ?? 0,
        serving: serving.get(member) ?? 0,
      };
    }),
  };
}
