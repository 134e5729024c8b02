/**
 * The deployer ↔ replica contract, version DEPLOYER_PROTOCOL_VERSION. Everything a deployer and
 * the replicas it starts say to each other is defined here; a deployer needs nothing else.
 *
 * # Starting a replica
 *
 * The deployer runs the app's entry (`node <binary> <args...>`) with the config's env entries,
 * SERVICEWEAVER_CONFIG (the config file) and WEAVER_REPLICA (ReplicaArgs as JSON, whose
 * `protocol` is the deployer's DEPLOYER_PROTOCOL_VERSION) in the environment, and with four pipes: stdin (never written; when it closes, the deployer is gone
 * and the replica exits), stdout and stderr (captured line by line as log entries of level
 * "stdout"/"stderr"), and fd `logFd` (3), on which the replica writes its components' log
 * entries as JSON lines (see entryFromPino).
 *
 * # Control
 *
 * The replica serves its hosted components over RPC on `listen`, and also answers the reserved
 * methods there: HEALTH_METHOD (the deployer's health check), METRICS_METHOD (a snapshot of its
 * metrics, which the deployer pulls when asked for metrics and every few seconds for the
 * statistics), SPANS_METHOD (the trace spans it finished since the last pull) and PROFILE_METHOD
 * (a CPU or heap profile over a duration). When its components are created, its server listens and
 * its listeners are bound, it calls CONTROL_READY on the deployer's control server (`control`, an
 * RPC server of the same stack, same deployment and app version) with the addresses its
 * listeners are bound to and its own DEPLOYER_PROTOCOL_VERSION. Then it long-polls CONTROL_WATCH_ROUTES: the call returns when the
 * routing (the live replicas of the components it calls) changes from the version it knows, or
 * after a while with the same version, and the replica calls again.
 *
 * # Routing keys
 *
 * For a routed component (one with a router), routes also carry its assignment: the stable names
 * of its replica slots (`members`, every slot the deployer runs, up or not) and a version changed
 * only when that list changes; each route entry names the `member` it is. Callers hash a call's
 * key to the member that owns it (KeyAssignment in @weaver/rpc), and send it to that member's
 * replica, or, while it is down, to the member every caller picks next. A deployer that leaves
 * members and assignments out gets per-call balancing: routing is best effort by design.
 *
 * # Mutual TLS
 *
 * When ReplicaArgs.mtls is set, the replica makes an ECDSA P-256 key, which never leaves it, and
 * calls CONTROL_SIGN with its public key before it creates any component; the deployer, which
 * holds the deployment's CA, answers with a short-lived certificate for the replica's group
 * (trust/identity.ts) and the CA certificate. The replica asks again at two thirds of each
 * certificate's life. It then serves only TLS clients with a certificate of the deployment's CA,
 * of this app and version, and answers a caller only for the components its group has refs to
 * (the call graph); only the deployer's own certificate may call the reserved methods. It
 * checks that every replica it calls presents the certificate of the group that hosts the
 * component called. The control server itself stays a Unix socket in the deployment's private
 * folder, where only the user can connect: it is how a replica gets its first certificate.
 *
 * # Versions
 *
 * Both ends check the version of this contract: a replica refuses ReplicaArgs of another
 * `protocol` (and exits with status 1, saying which versions met), and the deployer refuses a
 * CONTROL_READY of another one (the call fails with the reason, and the deployer reports it
 * rather than retrying a replica that can never work). This is how a globally installed `weaver`
 * and an app built against another Weaver version find out, instead of misreading each other.
 *
 * # Stopping
 *
 * SIGTERM asks a replica to drain (finish calls in flight, run shutdown hooks) and exit.
 * Messages are msgpack (see Codec); method ids are the CONTROL_* and *_METHOD constants.
 */
import type { MetricSnapshot } from "../metrics/metrics.js";
import type { Assignments, RouteEntry } from "./replica-args.js";

/** The version of this contract; both ends refuse another (see Versions above). 3: mutual TLS. */
export const DEPLOYER_PROTOCOL_VERSION = 3;

/** The file descriptor on which replicas write JSON log lines (when ReplicaArgs.logFd says so). */
export const LOG_FD = 3;

/** Method id of the health check a replica answers on its RPC address. */
export const HEALTH_METHOD = 0xffffffff;

/** Method ids from this one up are reserved for the deployer; components' ids stay below. */
export const RESERVED_METHODS = 0xfffffff0;

/** Method id of the metrics snapshot a replica answers on its RPC address (request: null). */
export const METRICS_METHOD = 0xfffffffe;

/** A replica's metrics. */
export interface MetricsReply {
  readonly id: string;
  readonly metrics: readonly MetricSnapshot[];
}

/** Method id of the spans a replica finished since the last pull (request: null). */
export const SPANS_METHOD = 0xfffffffd;

/** Method id of a profile of a replica (request: ProfileRequest; reply: ProfileReply). */
export const PROFILE_METHOD = 0xfffffffc;

/** What to profile, and for how long (CPU profiles only). */
export interface ProfileRequest {
  readonly type: "cpu" | "heap";
  readonly durationMs: number;
}

/** A profile in V8's JSON format (.cpuprofile or .heapprofile). */
export interface ProfileReply {
  readonly id: string;
  readonly profile: string;
}

/** The replica's answer to a health check. */
export interface HealthReply {
  readonly healthy: boolean;
  /** The replica's id, so a check that reached another process is noticed. */
  readonly id: string;
}

/** Method id on the control server: a replica reports that it is ready. */
export const CONTROL_READY = 1;

/** What a replica reports when it is ready. */
export interface ReadyRequest {
  readonly id: string;
  readonly pid: number;
  /** The `host:port` each of its listeners is bound to, by listener name. */
  readonly listeners: Readonly<Record<string, string>>;
  /** The replica's DEPLOYER_PROTOCOL_VERSION (absent from replicas of version 1). */
  readonly protocol?: number;
}

/** Method id on the control server: a replica waits for a change of its routes. */
export const CONTROL_WATCH_ROUTES = 2;

/** A replica's long poll for routes. */
export interface WatchRoutesRequest {
  readonly id: string;
  /** The routing version the replica has; -1 at first. */
  readonly version: number;
}

/** The routes of a replica: the live replicas of every component it calls and does not host. */
export interface RoutesReply {
  readonly version: number;
  readonly routes: Readonly<Record<string, readonly RouteEntry[]>>;
  /** The assignment of each routed component among `routes` (absent from deployers that do not route). */
  readonly assignments?: Assignments;
}

/** Method id on the control server: a replica asks for a certificate (ReplicaArgs.mtls). */
export const CONTROL_SIGN = 3;

/** A replica's request for a certificate. */
export interface SignRequest {
  /** The replica's id: the deployer signs for the group of this replica only. */
  readonly id: string;
  /** Its public key, PEM (SPKI), ECDSA P-256. */
  readonly publicKey: string;
}

/** A certificate for a replica's key. */
export interface SignReply {
  /** The certificate, PEM. */
  readonly certificate: string;
  /** The deployment's CA certificate, PEM: what peers' certificates are verified with. */
  readonly ca: string;
  /** When the certificate expires, in ms since the epoch. */
  readonly notAfter: number;
}
