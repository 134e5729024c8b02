/**
 * Who a certificate speaks for. Every certificate the deployment's CA signs carries one URI
 * subject alternative name, `weaver://<app>/<version>/<group>`: the app, its version hash and the
 * group of components whose replicas hold the key (or DEPLOYER_GROUP for the deployer). A
 * replica serves a caller by this identity, and a caller checks the replica it calls by it.
 */
import type { X509Certificate } from "node:crypto";

/** The group name of the deployer's own certificate (group names are short component names, which have a dot). */
export const DEPLOYER_GROUP = "deployer";

/** The identity a certificate carries. */
export interface Identity {
  readonly app: string;
  /** The app's version hash. */
  readonly version: string;
  /** The group of components (or DEPLOYER_GROUP). */
  readonly group: string;
}

const SCHEME = "weaver://";

/** The URI of an identity. */
export function identityUri(id: Identity): string {
  return `${SCHEME}${[id.app, id.version, id.group].map(encodeURIComponent).join("/")}`;
}

/** Parses an identity URI; undefined when it is not one. */
export function parseIdentityUri(uri: string): Identity | undefined {
  if (!uri.startsWith(SCHEME)) return undefined;
  const parts = uri.slice(SCHEME.length).split("/");
  if (parts.length !== 3 || parts.some((p) => p === "")) return undefined;
  try {
    const [app, version, group] = parts.map(decodeURIComponent) as [string, string, string];
    return { app, version, group };
  } catch {
    return undefined;
  }
}

/** The identity of a certificate: its first weaver:// URI subject alternative name, if it has one. */
export function identityOf(certificate: X509Certificate): Identity | undefined {
  // Node lists names as `URI:weaver://...`, separated by ", "; the URIs written here need no quoting.
  for (const entry of (certificate.subjectAltName ?? "").split(", ")) {
    if (!entry.startsWith("URI:")) continue;
    const id = parseIdentityUri(entry.slice(4));
    if (id !== undefined) return id;
  }
  return undefined;
}

/**
 * Checks that a certificate is of `app` at `version`; returns its identity, or throws an Error
 * saying what is wrong. The message names only what the certificate says, never what was
 * expected: it goes back to a peer that may be a stranger.
 */
export function checkIdentity(certificate: X509Certificate, app: string, version: string): Identity {
  const id = identityOf(certificate);
  if (id === undefined) {
    throw new Error(
      `the certificate (subject ${certificate.subject.replace(/\n/g, ", ")}) carries no weaver://<app>/<version>/<group> identity`,
    );
  }
  if (id.app !== app) throw new Error(`the certificate is of app ${id.app}, which is not served here`);
  if (id.version !== version) throw new Error(`the certificate is of version ${id.version} of app ${id.app}, which is not served here`);
  return id;
}
