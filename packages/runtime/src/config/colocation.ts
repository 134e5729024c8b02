/**
 * Colocation: which components share processes. Each `[serviceweaver] colocate` list is a group;
 * every other component (Main included) is a group of its own. Every deployer that runs more than
 * one process groups components this way, and names a group after its first component.
 */
import type { Manifest } from "../generated/manifest.js";
import { compareComponents } from "../names.js";
import type { AppConfig } from "./config.js";

/** The components of each group (full names, sorted), groups sorted by their first component (Main's first). */
export function colocationGroups(manifest: Manifest, config: AppConfig): string[][] {
  const placed = new Set<string>();
  const lists: string[][] = [];
  for (const list of config.colocate) {
    lists.push([...list].sort(compareComponents));
    for (const c of list) placed.add(c);
  }
  for (const c of manifest.components) if (!placed.has(c.name)) lists.push([c.name]);
  return lists.sort((a, b) => compareComponents(a[0] as string, b[0] as string));
}
