/**
 * The status of a running deployment, as its status server serves it (GET /status, JSON), for
 * `weaver multi status`, the dashboard and scripts. Config values are shown as written in
 * weaver.toml, so secrets appear as their references (`${env:NAME}`), never resolved, and redacted
 * (redactStatus) both by the server that sends a status and by the tools that receive one.
 */
import { redactConfig } from "../config/redact.js";

/** A replica process. */
export interface ReplicaStatus {
  /** The replica's id (new for every process the deployer starts). */
  readonly id: string;
  readonly pid: number;
  /** starting: launched, not yet serving; ready: serving and healthy; unhealthy: failing health checks; restarting: waiting to be started again; stopped. */
  readonly state: "starting" | "ready" | "unhealthy" | "restarting" | "stopped";
  /** When this process started, in ms since the epoch. */
  readonly started: number;
  /** How many times this replica slot was restarted. */
  readonly restarts: number;
}

/** A group of components that share processes (one component, or a colocate group). */
export interface GroupStatus {
  /** The group's name: the short name of its first component. */
  readonly name: string;
  /** Full names of its components. */
  readonly components: readonly string[];
  readonly replicas: readonly ReplicaStatus[];
}

/** A component and the group that runs it. */
export interface ComponentStatus {
  readonly name: string;
  readonly short: string;
  readonly group: string;
}

/** A listener and the address clients use (the deployer's proxy). */
export interface ListenerStatus {
  readonly name: string;
  readonly address: string;
}

/** One member of a routed component's assignment: a replica slot, and the keys it has. */
export interface RoutingMemberStatus {
  /** The slot's stable name (e.g. `cart.Cart/0`). */
  readonly member: string;
  /** The id of the slot's current process, when it has one. */
  readonly replica?: string;
  /** Whether callers send it calls now (its replica is ready). */
  readonly up: boolean;
  /** Key slots it owns, of RoutingStatus.slots: its share of the keys whenever it is up. */
  readonly owned: number;
  /** Key slots it serves now: its own while up, plus those of members that are down for which it is next. */
  readonly serving: number;
}

/** How the keys of a routed component are spread over its replicas. */
export interface RoutingStatus {
  /** The component's full name. */
  readonly component: string;
  /** The assignment's version (changes when the members do). */
  readonly version: number;
  /** The key slots in all: every key hashes to one, and each slot has one owner. */
  readonly slots: number;
  /** Every member, up or not, in the assignment's order. */
  readonly members: readonly RoutingMemberStatus[];
}

/** The status of a deployment. */
export interface DeploymentStatus {
  readonly app: string;
  readonly deployment: string;
  /** When it started, in ms since the epoch. */
  readonly started: number;
  /** The deployer's process id. */
  readonly pid: number;
  /** The config file. */
  readonly configFile: string;
  /** Every section of the config, as written (secret references unresolved). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly groups: readonly GroupStatus[];
  /** Components in status order: Main first, then by full name. */
  readonly components: readonly ComponentStatus[];
  readonly listeners: readonly ListenerStatus[];
  /**
   * Which components call which (full names; the manifest's refs), for the dashboard's traffic
   * graph; a deployer that leaves it out gets a graph of the edges that carried calls only.
   */
  readonly callGraph?: readonly (readonly [caller: string, callee: string])[];
  /** Per routed component (one with a router), how its keys are spread; absent or empty when none is routed. */
  readonly routing?: readonly RoutingStatus[];
  /** How the app's listeners split their traffic between its versions (deployments); absent when a deployer does not split. */
  readonly traffic?: readonly TrafficStatus[];
  /** The app's latest rollout, while it runs and after it ended; absent when there was none. */
  readonly rollout?: RolloutStatus;
}

/** A version's share of a listener's traffic. */
export interface TrafficStatus {
  /** The address clients use. */
  readonly host: string;
  readonly listener: string;
  /** The version: its deployment id. */
  readonly deployment: string;
  /** The share of new requests (HTTP) or connections (other TCP) it gets, 0 to 1. */
  readonly fraction: number;
}

/** A rollout from one version of an app to another, in steps of the new version's share. */
export interface RolloutStatus {
  readonly from: string;
  readonly to: string;
  readonly state: "rolling" | "done" | "rolled back";
  /** The steps: when each began (or, while ahead, is planned to at the earliest; ms since the epoch) and the new version's share. */
  readonly steps: readonly { readonly at: number; readonly fraction: number; readonly planned: boolean }[];
  /** Why it was rolled back. */
  readonly reason?: string;
}

/** A copy of a status whose config is redacted (see redact.ts): what leaves a process or reaches a user. */
export function redactStatus(status: DeploymentStatus): DeploymentStatus {
  return { ...status, config: redactConfig(status.config ?? {}) };
}
