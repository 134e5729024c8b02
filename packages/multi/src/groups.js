/**
 * Groups: the unit the multi deployer replicates. Each `[serviceweaver] colocate` list is a group;
 * every other component (Main included) is a group of its own. A group's name is the short name
 * of its first component, and `[multi] groups."<name>".replicas` sets its replica count
 * (default: `[multi] replicas`, else 2).
 */
import { MAIN_COMPONENT, compareComponents, runtimeError, shortName } from "@weaver/runtime";
/** The default number of replicas of a group. */
export const DEFAULT_REPLICAS = 2;
/** Computes the groups of an app under a config (already checked by validateConfig). */
export function computeGroups(manifest, config) {
    const placed = new Set();
    const lists = [];
    for (const list of config.colocate) {
        lists.push([...list].sort(compareComponents));
        for (const c of list)
            placed.add(c);
    }
    for (const c of manifest.components)
        if (!placed.has(c.name))
            lists.push([c.name]);
    lists.sort((a, b) => compareComponents(a[0], b[0]));
    const multi = config.multi;
    const names = lists.map((l) => shortName(l[0]));
    for (const name of Object.keys(multi.groups ?? {})) {
        if (!names.includes(name)) {
            throw runtimeError("WEAVER_ERR_CONFIG_KEY", `${config.file}: [multi] groups."${name}": no group is named ${name}; groups are named after their first component: ${names.map((n) => `"${n}"`).join(", ")}`);
        }
    }
    return lists.map((components, i) => {
        const name = names[i];
        const replicas = multi.groups?.[name]?.replicas ?? multi.replicas ?? DEFAULT_REPLICAS;
        if (!Number.isInteger(replicas) || replicas < 1 || replicas > 64) {
            const key = multi.groups?.[name]?.replicas !== undefined ? `groups."${name}".replicas` : "replicas";
            throw runtimeError("WEAVER_ERR_CONFIG_KEY", `${config.file}: [multi] ${key} = ${replicas}: the replica count must be a whole number from 1 to 64`);
        }
        return { name, components, replicas };
    });
}
/** Whether a group runs Main. */
export function hostsMain(group) {
    return group.components.includes(MAIN_COMPONENT);
}
//# sourceMappingURL=groups.js.map