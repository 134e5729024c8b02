/**
 * Who may talk to Weaver's local HTTP servers (a deployment's status server, the dashboard). One
 * implementation, shared by both, so that they refuse the same requests:
 *
 * - Host: a server listening on a loopback address answers only requests that name it by a
 *   loopback name (127.x.y.z, localhost, [::1]). A DNS-rebinding page (evil.example resolving to
 *   127.0.0.1) reaches the port through the visitor's browser, but its requests say
 *   `Host: evil.example`.
 * - Origin: a request that carries an Origin (browsers send one on cross-origin requests, on every
 *   POST and on WebSocket handshakes) must come from the server's own origin. Tools and scripts
 *   send none.
 * - Token: a server given a token (one that listens beyond loopback) answers only requests that
 *   carry it as `Authorization: Bearer <token>`; the tools read it from the deployment's
 *   registration file, which only its user can read.
 * - State-changing requests (a status server's POST routes; see checkRequestHeader) must also
 *   carry the header WEAVER_REQUEST_HEADER. A cross-site page can send a simple POST without
 *   asking, but not a custom header: that takes a CORS preflight, which these servers never grant
 *   (they answer no OPTIONS and send no Access-Control-Allow-* header).
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The header every state-changing request to a status server carries (any value). */
export const WEAVER_REQUEST_HEADER = "x-weaver-request";

/** What a server tells requestGuard about itself. */
export interface RequestGuardOptions {
  /** What the server is, for messages: "the status server", "the dashboard". */
  readonly what: string;
  /** The address it listens on ("127.0.0.1", "::1", "0.0.0.0", ...). */
  readonly host: string;
  /** The token every request must carry as `Authorization: Bearer <token>`; none when absent. */
  readonly token?: string;
}

/** Why a request is refused: its HTTP status and a message that says what to do instead. */
export interface Refusal {
  readonly status: 401 | 403;
  readonly message: string;
}

/** A request vetter: undefined lets the request through. */
export type RequestGuard = (req: IncomingMessage) => Refusal | undefined;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1|\[::1\])$/i;

/** Tells whether an address or host name is a loopback one (127.x.y.z, localhost, ::1). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** The vetter of the requests to a server described by `options` (see the rules above). */
export function requestGuard(options: RequestGuardOptions): RequestGuard {
  const { what, host, token } = options;
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return (req) => {
    const name = hostName(req.headers.host ?? "");
    if (isLoopback(host) && !isLoopback(name)) {
      return {
        status: 403,
        message: `${what} answers only requests addressed to ${host} or localhost, not to ${JSON.stringify(name)}; use its address as registered`,
      };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      return {
        status: 403,
        message: `${what} refuses requests from web pages of other origins (this one came from ${JSON.stringify(origin)})`,
      };
    }
    if (expected !== undefined) {
      const given = Buffer.from(req.headers.authorization ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return {
          status: 401,
          message: `${what} requires its token as "Authorization: Bearer <token>"; the weaver tools read it from the deployment's registration file`,
        };
      }
    }
    return undefined;
  };
}

/**
 * Refuses a state-changing request (anything but GET and HEAD) that lacks WEAVER_REQUEST_HEADER,
 * which no web page can add without a CORS preflight; `what` names the server for the message.
 */
export function checkRequestHeader(req: IncomingMessage, what: string): Refusal | undefined {
  if (req.method === "GET" || req.method === "HEAD" || req.headers[WEAVER_REQUEST_HEADER] !== undefined) return undefined;
  return {
    status: 403,
    message: `${what} requires the header ${WEAVER_REQUEST_HEADER} on ${req.method} requests, which no web page can send; the weaver tools and StatusClient send it`,
  };
}

/** The name part of a Host header (`127.0.0.1:80` -> `127.0.0.1`, `[::1]:80` -> `[::1]`). */
function hostName(host: string): string {
  return host.replace(/:\d*$/, "");
}

/** Whether an Origin header names the origin of the server the request was sent to. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === (host ?? "").toLowerCase();
  } catch {
    return false; // "null" (a sandboxed or file: page) or garbage
  }
}
