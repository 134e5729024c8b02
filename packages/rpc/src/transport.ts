/**
 * Transports: Unix domain sockets between processes of one machine, TCP across machines, and TLS
 * over either, with certificates the caller passes in: server-authenticated, or mutual, where the
 * server learns each client's identity from its certificate (tls-accept.ts) and the client checks
 * the server's. Certificates may change while the server runs (setTls), for rotation.
 */
import { X509Certificate } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, statSync, unlinkSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { TlsAcceptor, type Accepted } from "./tls-accept.js";

/** Where an RPC server listens: a Unix socket path, or a TCP host and port (port 0: any free). */
export type Address = { readonly path: string } | { readonly host: string; readonly port: number };

/** TLS for a server: its certificate and key, and optionally CAs to require client certificates from. */
export interface ServerTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** When given, clients must present a valid certificate signed by one of these CAs (mutual TLS). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /**
   * With `ca`: names the client whose verified certificate this is (the identity its calls carry,
   * CallInfo.identity), or throws to refuse it; the Error's message is what the client and the
   * server's log are told, so it should name only what the certificate says.
   */
  readonly identify?: (certificate: X509Certificate) => string;
}

/** TLS for a client: the CAs to trust, the name to expect, and optionally its own certificate. */
export interface ClientTls {
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly servername?: string;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /**
   * Checks the server's certificate once it is verified against `ca`, instead of matching it to
   * the host name; returns an Error (whose message the call's failure carries) to refuse it.
   */
  readonly checkServer?: (certificate: X509Certificate) => Error | undefined;
}

/** Formats an address as `unix:<path>` or `tcp:<host>:<port>`. */
export function formatEndpoint(address: Address): string {
  if ("path" in address) return `unix:${address.path}`;
  return address.host.includes(":") ? `tcp:[${address.host}]:${address.port}` : `tcp:${address.host}:${address.port}`;
}

/** Parses `unix:<path>` or `tcp:<host>:<port>`; returns undefined for anything else. */
export function parseEndpoint(text: string): Address | undefined {
  if (text.startsWith("unix:")) return text.length > 5 ? { path: text.slice(5) } : undefined;
  const m = /^tcp:(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (m === null) return undefined;
  return { host: (m[1] ?? m[2]) as string, port: Number(m[3]) };
}

/** Opens a connection; with TLS, 'secureConnect' fires once the handshake is done. */
export function connect(address: Address, clientTls?: ClientTls): net.Socket {
  if (clientTls === undefined) {
    const socket = "path" in address ? net.connect(address.path) : net.connect(address.port, address.host);
    socket.setNoDelay(true);
    return socket;
  }
  const options: tls.ConnectionOptions = {
    ...("path" in address ? { path: address.path } : { host: address.host, port: address.port }),
    ...(clientTls.ca !== undefined ? { ca: clientTls.ca as tls.ConnectionOptions["ca"] } : {}),
    ...(clientTls.cert !== undefined ? { cert: clientTls.cert } : {}),
    ...(clientTls.key !== undefined ? { key: clientTls.key } : {}),
    // SNI carries host names only (RFC 6066); for an IP address, Node checks the certificate against the host.
    ...(clientTls.servername !== undefined || "path" in address || net.isIP(address.host) === 0
      ? { servername: clientTls.servername ?? ("host" in address ? address.host : "localhost") }
      : {}),
    ...(clientTls.checkServer !== undefined ? { checkServerIdentity: serverCheck(clientTls.checkServer) } : {}),
  };
  const socket = tls.connect(options);
  socket.setNoDelay(true);
  return socket;
}

/** The event a socket from connect() emits when it is ready for frames. */
export function readyEvent(clientTls: ClientTls | undefined): "connect" | "secureConnect" {
  return clientTls === undefined ? "connect" : "secureConnect";
}

/** A server's view of a connection before its first frame; see tls-accept.ts. */
export type { Accepted } from "./tls-accept.js";

/** A listening server of a transport, whose TLS certificate may change. */
export interface TransportServer {
  readonly server: net.Server;
  /** Uses another certificate for new connections; open ones keep theirs. Only for a TLS server. */
  setTls(serverTls: ServerTls): void;
  /** Closes the connections that have not reached `onSocket` yet. */
  closePending(): void;
}

/** Options of createServer. */
export interface TransportOptions {
  /** Receives each accepted connection (with TLS, once the handshake is done), and what was learned of it. */
  readonly onSocket: (socket: net.Socket, accepted: Accepted) => void;
  readonly tls?: ServerTls | undefined;
  /** Told about TLS connections that failed before reaching onSocket. */
  readonly onError?: (reason: string) => void;
  /** How long a TLS client may take to send its first byte, and then its handshake (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** TLS connections that may wait for their first byte, and TLS handshakes that may run, at once (default 256). */
  readonly maxPending?: number;
}

/** Creates a server that hands each accepted socket to `onSocket`: plain, or through TLS (tls-accept.ts). */
export function createServer(options: TransportOptions): TransportServer {
  const { onSocket } = options;
  if (options.tls === undefined) {
    const server = net.createServer({ noDelay: true }, (socket) => onSocket(socket, {}));
    return {
      server,
      setTls: () => {
        throw new Error("a server started without TLS cannot take a certificate later");
      },
      closePending: () => {},
    };
  }
  const acceptor = new TlsAcceptor(options.tls, {
    onSocket,
    onError: options.onError ?? (() => {}),
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    maxPending: options.maxPending ?? 256,
  });
  const server = net.createServer({ noDelay: true }, (socket) => acceptor.accept(socket));
  return { server, setTls: (t) => acceptor.setTls(t), closePending: () => acceptor.close() };
}

/** What an error of a client's TLS handshake most likely means, in words; undefined for other errors. */
export function tlsHint(code: string | undefined): string | undefined {
  switch (code) {
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_SIGNATURE_FAILURE":
      return "the server's certificate is not signed by a CA this client trusts";
    case "CERT_HAS_EXPIRED":
      return "the server's certificate has expired";
    case "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED":
      return "the server requires a client certificate";
    case "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED":
      return "the server says this client's certificate has expired";
    case "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA":
      return "the server does not trust the CA of this client's certificate";
    default:
      return undefined;
  }
}

/** The code of the error a connection fails with when ClientTls.checkServer rejects the server. */
export const SERVER_REJECTED = "ERR_WEAVER_SERVER_REJECTED";

/** Node's checkServerIdentity, given a check of the parsed certificate; its errors carry SERVER_REJECTED. */
function serverCheck(check: (certificate: X509Certificate) => Error | undefined): tls.ConnectionOptions["checkServerIdentity"] {
  return (_host, peer) => {
    let error: Error | undefined;
    try {
      error = check(new X509Certificate(peer.raw));
    } catch (e) {
      error = e as Error;
    }
    return error === undefined ? undefined : Object.assign(error, { code: SERVER_REJECTED });
  };
}

/**
 * Creates a fresh folder for Unix sockets that only this user can enter (mode 0700), inside
 * $XDG_RUNTIME_DIR when it is set, else the temp folder. Socket paths must stay short (about
 * 100 bytes), so names inside it should be too.
 */
export function privateSocketDir(prefix = "weaver-"): string {
  const base = process.env["XDG_RUNTIME_DIR"] ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  const mode = statSync(dir).mode & 0o777;
  if (mode !== 0o700) throw new Error(`socket folder ${dir} has mode ${mode.toString(8)}, not 700`);
  return dir;
}

/**
 * Removes the Unix socket file at `path` if no server listens on it any more (its process died
 * without closing it); resolves with whether it did. Anything that is not a socket, or a socket
 * that accepts connections, is left alone.
 */
export async function removeStaleSocket(path: string): Promise<boolean> {
  try {
    if (!lstatSync(path).isSocket()) return false;
  } catch {
    return false;
  }
  const stale = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(false);
    });
    probe.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
  if (!stale) return false;
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return true;
}
