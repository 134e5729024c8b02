/**
 * The data the dashboard shows, gathered from the registry and the deployments' status servers:
 * each running deployment's status (GET /status, through listDeployments) and its per-method
 * statistics (GET /stats). The JSON API serves it as is; the pages are rendered from it.
 */
import { listDeployments } from "@weaver/multi";
import { STATS_PATH, type DeploymentStats, type DeploymentStatus } from "@weaver/runtime";

/** How long a status server may take to answer GET /stats. */
export const STATS_TIMEOUT_MS = 2_000;

/** One running deployment as the dashboard sees it. */
export interface DashboardDeployment {
  readonly status: DeploymentStatus;
  /** Its per-method statistics, or null when the status server did not give them. */
  readonly stats: DeploymentStats | null;
}

/** Everything the index page shows. */
export interface DashboardListing {
  /** The deployer whose deployments these are ("multi" or "single"). */
  readonly deployer: string;
  /** When the data was gathered, in ms since the epoch. */
  readonly now: number;
  /** The running deployments, by app, then by start time. */
  readonly deployments: readonly DashboardDeployment[];
}

/** Gathers the status and statistics of every running deployment of a deployer. */
export async function gatherDeployments(deployer: string): Promise<DashboardListing> {
  const listing = await listDeployments({ deployer });
  const deployments = await Promise.all(
    listing.running.map(async ({ registration, status }) => ({ status, stats: await fetchStats(registration.status) })),
  );
  return { deployer, now: Date.now(), deployments };
}

/**
 * Finds one running deployment by its id, or by a prefix of it that names only one; undefined
 * when none (or more than one) matches.
 */
export function pickDeployment(listing: DashboardListing, id: string): DashboardDeployment | undefined {
  const exact = listing.deployments.find((d) => d.status.deployment === id);
  if (exact !== undefined || id === "") return exact;
  const matches = listing.deployments.filter((d) => d.status.deployment.startsWith(id));
  return matches.length === 1 ? matches[0] : undefined;
}

/** GETs <status>/stats; null on any failure (a deployment that just ended, a timeout). */
async function fetchStats(statusUrl: string): Promise<DeploymentStats | null> {
  try {
    const res = await fetch(new URL(STATS_PATH, statusUrl), { signal: AbortSignal.timeout(STATS_TIMEOUT_MS) });
    if (res.status !== 200) return null;
    return (await res.json()) as DeploymentStats;
  } catch {
    return null;
  }
}
