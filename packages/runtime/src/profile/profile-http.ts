/**
 * Profiles over HTTP: the status server's route (StatusClient.profile asks it).
 *
 *   POST /profile?type=cpu|heap&duration_ms=<ms>
 *
 * type defaults to cpu and duration_ms to 30000 (CPU profiles only; a heap profile is a picture
 * of the moment). The answer, once the profile is taken, is a DeploymentProfile as JSON: the
 * merged profile under `profile`, and the replicas that gave none under `failed`. A bad query
 * answers 400; a deployment none of whose replicas gave a profile answers 500 with the reason, as
 * text.
 */
import type { StatusRoute } from "../deployments/status-routes.js";
import type { ProfileRequest } from "../replica/deployer-protocol.js";
import type { DeploymentProfile } from "./profile.js";

/** The path of the profile route. */
export const PROFILE_PATH = "/profile";

/** The CPU profile duration when none is given, as Service Weaver's. */
export const DEFAULT_PROFILE_MS = 30_000;

/** The longest CPU profile a deployment takes. */
export const MAX_PROFILE_MS = 60 * 60_000;

/** The status server route that profiles the deployment with `profile`. */
export function profileRoute(profile: (request: ProfileRequest) => Promise<DeploymentProfile>): StatusRoute {
  return {
    method: "POST",
    path: PROFILE_PATH,
    handle: async ({ url }) => {
      const request = parseQuery(url.searchParams);
      if (typeof request === "string") return { status: 400, contentType: "text/plain; charset=utf-8", body: `${request}\n` };
      try {
        return { contentType: "application/json", body: JSON.stringify(await profile(request)) };
      } catch (e) {
        return { status: 500, contentType: "text/plain; charset=utf-8", body: `${e instanceof Error ? e.message : String(e)}\n` };
      }
    },
  };
}

/** The profile request of a query string, or what is wrong with it. */
function parseQuery(query: URLSearchParams): ProfileRequest | string {
  const type = query.get("type") ?? "cpu";
  if (type !== "cpu" && type !== "heap") return `type=${type} is not a profile type; use type=cpu or type=heap`;
  const text = query.get("duration_ms");
  const durationMs = text === null ? DEFAULT_PROFILE_MS : Number(text);
  if (!Number.isInteger(durationMs) || durationMs < 0 || durationMs > MAX_PROFILE_MS) {
    return `duration_ms=${text} is not a duration; give whole milliseconds from 0 to ${MAX_PROFILE_MS}`;
  }
  return { type, durationMs: type === "cpu" ? durationMs : 0 };
}
