import { ReplicaClient, type ControlIdentity, type ReplicaStatus, type RouteEntry } from "@weaver/runtime";
import type { Group } from "./groups.js";
import type { LogSink } from "../../runtime/src/logs/log-sink.js";
/** What a slot needs from its deployment. */
export interface SlotContext {
    readonly identity: ControlIdentity;
    readonly app: string;
    readonly binary: string;
    readonly args: readonly string[];
    readonly env: NodeJS.ProcessEnv;
    readonly configFile: string;
    readonly control: string;
    readonly proxies: Readonly<Record<string, string>>;
    readonly log: LogSink;
    /** The routes of a group's replicas now. */
    routes(group: Group): Record<string, RouteEntry[]>;
    /** Routing or listener backends changed. */
    changed(): void;
    /** The deployment cannot run: a group keeps crashing at start. */
    fail(message: string): void;
}
/** One replica of a group, restarted whenever it dies. */
export declare class ReplicaSlot {
    #private;
    readonly group: Group;
    /** Where the replica serves RPC (the same path across restarts). */
    readonly address: string;
    state: ReplicaStatus["state"];
    id: string;
    started: number;
    restarts: number;
    /** Bound listener addresses (`host:port`) of the current process, once ready. */
    listeners: Readonly<Record<string, string>>;
    constructor(group: Group, address: string, ctx: SlotContext);
    /** The calls to the current process, once it is ready (health, metrics, spans, profiles). */
    get client(): ReplicaClient | undefined;
    /** The process id, or -1 between processes. */
    get pid(): number;
    /** Starts a process. */
    start(): void;
    /** The process reported ready (CONTROL_READY). */
    ready(listeners: Readonly<Record<string, string>>): void;
    /** Stops the process (draining it) and does not restart it. */
    stop(): Promise<void>;
    /** Kills the process at once (the deployer is stopping fast). */
    kill(): void;
}
//# sourceMappingURL=replica.d.ts.map