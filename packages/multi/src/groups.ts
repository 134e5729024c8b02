/**
 * Groups: the unit the multi deployer replicates. Each `[serviceweaver] colocate` list is a group;
 * every other component (Main included) is a group of its own. A group's name is the short name
 * of its first component, and `[multi] groups."<name>".replicas` sets its replica count
 * (default: `[multi] replicas`, else 2).
 */
import { MAIN_COMPONENT, compareComponents, runtimeError, shortName, type AppConfig, type Manifest } from "@weaver/runtime";

/** The default number of replicas of a group. */
export const DEFAULT_REPLICAS = 2;

/** A group of components that share processes. */
export interface Group {
  readonly name: string;
  /** Full names, in status order. */
  readonly components: readonly string[];
  readonly replicas: number;
}

/** Computes the groups of an app under a config (already checked by validateConfig). */
export function computeGroups(manifest: Manifest, config: AppConfig): Group[] {
  const placed = new Set<string>();
  const lists: string[][] = [];
  for (const list of config.colocate) {
    lists.push([...list].sort(compareComponents));
    for (const c of list) placed.add(c);
  }
  for (const c of manifest.components) if (!placed.has(c.name)) lists.push([c.name]);
  lists.sort((a, b) => compareComponents(a[0] as string, b[0] as string));

  const multi = config.multi as { replicas?: number; groups?: Record<string, { replicas?: number }> };
  const names = lists.map((l) => shortName(l[0] as string));
  for (const name of Object.keys(multi.groups ?? {})) {
    if (!names.includes(name)) {
      throw runtimeError(
        "WEAVER_ERR_CONFIG_KEY",
        `${config.file}: [multi] groups."${name}": no group is named ${name}; groups are named after their first component: ${names.map((n) => `"${n}"`).join(", ")}`,
      );
    }
  }
  return lists.map((components, i) => {
    const name = names[i] as string;
    const replicas = multi.groups?.[name]?.replicas ?? multi.replicas ?? DEFAULT_REPLICAS;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 64) {
      const key = multi.groups?.[name]?.replicas !== undefined ? `groups."${name}".replicas` : "replicas";
      throw runtimeError("WEAVER_ERR_CONFIG_KEY", `${config.file}: [multi] ${key} = ${replicas}: the replica count must be a whole number from 1 to 64`);
    }
    return { name, components, replicas };
  });
}

/** Whether a group runs Main. */
export function hostsMain(group: Group): boolean {
  return group.components.includes(MAIN_COMPONENT);
}
