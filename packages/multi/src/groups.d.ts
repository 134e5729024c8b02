/**
 * Groups: the unit the multi deployer replicates. Each `[serviceweaver] colocate` list is a group;
 * every other component (Main included) is a group of its own. A group's name is the short name
 * of its first component, and `[multi] groups."<name>".replicas` sets its replica count
 * (default: `[multi] replicas`, else 2).
 */
import { type AppConfig, type Manifest } from "@weaver/runtime";
/** The default number of replicas of a group. */
export declare const DEFAULT_REPLICAS = 2;
/** A group of components that share processes. */
export interface Group {
    readonly name: string;
    /** Full names, in status order. */
    readonly components: readonly string[];
    readonly replicas: number;
}
/** Computes the groups of an app under a config (already checked by validateConfig). */
export declare function computeGroups(manifest: Manifest, config: AppConfig): Group[];
/** Whether a group runs Main. */
export declare function hostsMain(group: Group): boolean;
//# sourceMappingURL=groups.d.ts.map