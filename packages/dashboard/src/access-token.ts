/**
 * The dashboard's access token, for a dashboard that listens beyond this machine (a non-loopback
 * `--host`) or is asked to require one (WEAVER_DASHBOARD_TOKEN=1): its pages show every
 * deployment's logs, traces and metrics, which nobody else on the network may read.
 *
 * The dashboard prints its URL with `?token=<token>`. A request that carries the token in its
 * query gets it as a cookie (HttpOnly, SameSite=Strict) and is redirected to the same URL without
 * it, so the token leaves the address bar and the history; later requests, and the pages'
 * WebSocket, carry the cookie. Anything else is answered 401. Tokens are compared in constant time.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** The environment variable that makes a dashboard on a loopback address require a token too. */
export const DASHBOARD_TOKEN_ENV = "WEAVER_DASHBOARD_TOKEN";

const COOKIE = "weaver_dashboard";

/** Checks requests against a token. */
export interface AccessGate {
  /** The token, when one is required. */
  readonly token: string | undefined;
  /** Whether a request may go on; when not, the gate has answered it (a redirect or a 401). */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Whether a request carries the token's cookie (for WebSocket upgrades, which cannot be redirected). */
  carriesCookie(req: IncomingMessage): boolean;
}

/** A gate that requires a fresh random token when `required`, and admits everything otherwise. */
export function accessGate(required: boolean): AccessGate {
  if (!required) return { token: undefined, admit: () => true, carriesCookie: () => true };
  const token = randomBytes(24).toString("base64url");
  const same = (given: string | undefined): boolean => {
    if (given === undefined) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const cookieOf = (req: IncomingMessage): string | undefined => {
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [name, ...value] = part.trim().split("=");
      if (name === COOKIE) return value.join("=");
    }
    return undefined;
  };
  return {
    token,
    carriesCookie: (req) => same(cookieOf(req)),
    admit(req, res) {
      if (same(cookieOf(req))) return true;
      const url = new URL(req.url ?? "/", "http://dashboard");
      if (same(url.searchParams.get("token") ?? undefined)) {
        url.searchParams.delete("token");
        res.writeHead(303, {
          location: `${url.pathname}${url.search}`,
          "set-cookie": `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          "cache-control": "no-store",
        });
        res.end();
        return false;
      }
      res.writeHead(401, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end("the dashboard requires its token: open the URL it printed when it started (it ends in ?token=...)\n");
      return false;
    },
  };
}
