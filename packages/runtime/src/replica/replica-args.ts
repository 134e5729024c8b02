/**
 * What a deployer tells a replica process it starts: the WEAVER_REPLICA environment variable, a
 * JSON object. With it, run() runs the process as one replica of a deployment (a weavelet)
 * instead of the whole app: it creates only the components it hosts, serves them over RPC on
 * `listen`, and reaches every other component through `routes`.
 *
 * The rest of the deployer ↔ replica contract (pipes, control calls, health) is in
 * deployer-protocol.ts. Without `control`, the routes given here are all the replica ever has.
 *
 * Routed components (those with a router) come with an assignment: the stable names of their
 * replica slots (members), all of them, up or not, and a version the deployer changes whenever
 * that list changes. Each route entry names its member, so a caller sends a call with a key to
 * the replica of the member that owns the key (KeyAssignment in @weaver/rpc). A deployer that
 * gives no assignments gets plain balancing, which is always correct, only not sticky.
 */
import { parseEndpoint } from "@weaver/rpc";
import { runtimeError } from "../errors.js";

/** The environment variable that carries ReplicaArgs. */
export const REPLICA_ENV = "WEAVER_REPLICA";

/** A replica of a component, as routes list them. */
export interface RouteEntry {
  /** The replica's id. */
  readonly id: string;
  /** Where it serves RPC: `unix:<path>` or `tcp:<host>:<port>`. */
  readonly address: string;
  /** The stable name of the replica's slot (a member of its component's assignment), when the deployer routes keys. */
  readonly member?: string;
}

/** The members of a routed component, as a deployer assigns its keys (see KeyAssignment in @weaver/rpc). */
export interface AssignmentArgs {
  /** Changes whenever `members` does, and only then. */
  readonly version: number;
  /** The stable names of the component's replica slots: every slot the deployer runs, up or not. */
  readonly members: readonly string[];
}

/** Assignments of routed components, by full component name. */
export type Assignments = Readonly<Record<string, AssignmentArgs>>;

/** The arguments of a replica process. */
export interface ReplicaArgs {
  /** The deployer's DEPLOYER_PROTOCOL_VERSION; the replica refuses another. */
  readonly protocol?: number;
  /** The deployment id; RPC connections across deployments are refused. */
  readonly deployment: string;
  /** This replica's id. */
  readonly id: string;
  /** Full names of the components this process hosts; with weaver/Main, it runs main(). */
  readonly hosts: readonly string[];
  /** Where to serve the hosted components over RPC (`unix:<path>` or `tcp:<host>:<port>`). */
  readonly listen?: string;
  /** For each component hosted elsewhere that this process calls, its replicas. */
  readonly routes: Readonly<Record<string, readonly RouteEntry[]>>;
  /** The assignment of each routed component among `routes`; components without one are balanced per call. */
  readonly assignments?: Assignments;
  /** Where each listener binds (`host:port`); 127.0.0.1 on a free port when absent. */
  readonly listeners?: Readonly<Record<string, string>>;
  /** The address clients are told for each listener (the deployer's proxy), when not the bound one. */
  readonly proxies?: Readonly<Record<string, string>>;
  /**
   * Listeners whose socket the deployer bound and this process inherited, by name: the file
   * descriptor to accept connections on (shared with the listener's other replicas) instead of
   * binding `listeners`.
   */
  readonly listenerFds?: Readonly<Record<string, number>>;
  /** The deployer's control server (`unix:<path>`); see deployer-protocol.ts. */
  readonly control?: string;
  /** The file descriptor to write JSON log lines to, instead of pretty lines on stderr. */
  readonly logFd?: number;
  /**
   * Mutual TLS between replicas (see deployer-protocol.ts): the group that hosts each component
   * of the app, by full name. Needs `control`, which signs the replica's certificate.
   */
  readonly mtls?: MtlsArgs;
}

/** What a replica needs to know to authorize its callers and check the replicas it calls. */
export interface MtlsArgs {
  /** The group hosting each component (full name), for every component of the app. */
  readonly groups: Readonly<Record<string, string>>;
}

/** Reads ReplicaArgs from the environment; undefined when the process is not a replica. */
export function readReplicaArgs(env: NodeJS.ProcessEnv = process.env): ReplicaArgs | undefined {
  const text = env[REPLICA_ENV];
  if (text === undefined || text === "") return undefined;
  const bad = (why: string): never => {
    throw runtimeError(
      "WEAVER_ERR_REPLICA_ARGS",
      `${REPLICA_ENV} is not valid: ${why}; it is set by a deployer, see ReplicaArgs in @weaver/runtime`,
    );
  };
  let args: ReplicaArgs;
  try {
    args = JSON.parse(text) as ReplicaArgs;
  } catch (e) {
    return bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof args !== "object" || args === null) return bad("not an object");
  if (typeof args.deployment !== "string" || typeof args.id !== "string") return bad("deployment and id must be strings");
  if (args.protocol !== undefined && !Number.isInteger(args.protocol))
    return bad("protocol must be a whole number (the deployer's DEPLOYER_PROTOCOL_VERSION)");
  if (!Array.isArray(args.hosts) || args.hosts.some((h) => typeof h !== "string")) return bad("hosts must be a list of component names");
  if (args.listen !== undefined && parseEndpoint(args.listen) === undefined)
    return bad(`listen "${args.listen}" is not unix:<path> or tcp:<host>:<port>`);
  if (args.control !== undefined && parseEndpoint(args.control) === undefined)
    return bad(`control "${args.control}" is not unix:<path> or tcp:<host>:<port>`);
  if (args.logFd !== undefined && !(Number.isInteger(args.logFd) && args.logFd > 2))
    return bad("logFd must be a file descriptor number above 2");
  if (
    args.proxies !== undefined &&
    (typeof args.proxies !== "object" || args.proxies === null || Object.values(args.proxies).some((a) => typeof a !== "string"))
  ) {
    return bad("proxies must map listener names to addresses");
  }
  if (
    args.listenerFds !== undefined &&
    (typeof args.listenerFds !== "object" ||
      args.listenerFds === null ||
      Object.values(args.listenerFds).some((fd) => !(Number.isInteger(fd) && fd > 2)))
  ) {
    return bad("listenerFds must map listener names to file descriptor numbers above 2");
  }
  if (typeof args.routes !== "object" || args.routes === null) return bad("routes must be an object");
  for (const [component, replicas] of Object.entries(args.routes)) {
    if (!Array.isArray(replicas)) return bad(`routes of ${component} must be a list`);
    const ids = new Set<string>();
    for (const r of replicas) {
      if (typeof r?.id !== "string" || typeof r.address !== "string" || parseEndpoint(r.address) === undefined) {
        return bad(`a route of ${component} is not {id, address: "unix:<path>" | "tcp:<host>:<port>"}`);
      }
      if (r.member !== undefined && (typeof r.member !== "string" || r.member === ""))
        return bad(`the member of replica ${r.id} of ${component} must be a non-empty string`);
      // Replicas are told apart by id: a second one with the same id would silently replace the first.
      if (ids.has(r.id)) return bad(`routes of ${component} name replica ${r.id} twice`);
      ids.add(r.id);
    }
  }
  const assignments = assignmentsProblem(args.assignments);
  if (assignments !== undefined) return bad(assignments);
  if (args.mtls !== undefined) {
    const groups = (args.mtls as Partial<MtlsArgs> | null)?.groups;
    if (typeof groups !== "object" || groups === null || Object.values(groups).some((g) => typeof g !== "string" || g === ""))
      return bad("mtls.groups must map component names to group names");
    if (args.control === undefined) return bad("mtls needs control, the deployer that signs the replica's certificate");
  }
  if (args.listeners !== undefined) {
    if (typeof args.listeners !== "object" || args.listeners === null || Array.isArray(args.listeners))
      return bad("listeners must be an object");
    for (const [name, address] of Object.entries(args.listeners)) {
      if (typeof address !== "string") return bad(`the address of listener ${name} must be a "host:port" string`);
    }
  }
  return args;
}

/**
 * What is wrong with the assignments of ReplicaArgs or RoutesReply, or undefined when they are
 * absent or well formed: each a whole version and distinct, non-empty member names.
 */
export function assignmentsProblem(assignments: unknown): string | undefined {
  if (assignments === undefined) return undefined;
  if (typeof assignments !== "object" || assignments === null || Array.isArray(assignments))
    return "assignments must map component names to {version, members}";
  for (const [component, a] of Object.entries(assignments as Record<string, unknown>)) {
    const { version, members } = (a ?? {}) as Partial<AssignmentArgs>;
    if (!Number.isInteger(version) || !Array.isArray(members) || members.some((m) => typeof m !== "string" || m === ""))
      return `the assignment of ${component} is not {version: <whole number>, members: [<slot name>, ...]}`;
    // KeyAssignment refuses duplicates: say so here, where the deployer's mistake is visible.
    if (new Set(members).size !== members.length) return `the assignment of ${component} names a member twice`;
  }
  return undefined;
}
