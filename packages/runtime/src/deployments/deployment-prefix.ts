/**
 * Picking a running deployment by a prefix of its id, as Service Weaver's commands do: any prefix
 * that only one running deployment's id starts with names it (`6b28` for 6b285407-...). A prefix
 * that names none or several is refused with the candidates, so the user can pick.
 */
import { formatAge } from "../output/table.js";
import type { RunningDeployment } from "./deployment-list.js";

/** The deployment a prefix names, or why it names none. */
export type PrefixMatch = { readonly deployment: RunningDeployment } | { readonly error: string };

/** Finds the one running deployment whose id starts with `prefix` (case-insensitive). */
export function findDeployment(prefix: string, running: readonly RunningDeployment[], deployer: string, now = Date.now()): PrefixMatch {
  const wanted = prefix.trim().toLowerCase();
  const line = (d: RunningDeployment): string =>
    `  ${d.registration.deployment}  ${d.registration.app}  (started ${formatAge(now - d.status.started)} ago)`;
  if (running.length === 0) {
    return { error: `no ${deployer} deployment is running; start one with \`weaver ${deployer} deploy weaver.toml\`` };
  }
  if (wanted === "") {
    return { error: `give the id of a deployment, or the start of one; the running deployments are:\n${running.map(line).join("\n")}` };
  }
  const matches = running.filter((d) => d.registration.deployment.toLowerCase().startsWith(wanted));
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return { deployment: only };
  if (matches.length === 0) {
    return { error: `no running deployment's id starts with "${prefix}"; the running deployments are:\n${running.map(line).join("\n")}` };
  }
  return {
    error: `"${prefix}" is the start of ${matches.length} running deployments' ids; give more of the id:\n${matches.map(line).join("\n")}`,
  };
}
