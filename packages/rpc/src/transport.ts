/**
 * Transports: Unix domain sockets between processes of one machine, TCP across machines, and TLS
 * over TCP with certificates the caller passes in (a later deployer adds mutual TLS).
 */
import { lstatSync, mkdirSync, mkdtempSync, statSync, unlinkSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";

/** Where an RPC server listens: a Unix socket path, or a TCP host and port (port 0: any free). */
export type Address = { readonly path: string } | { readonly host: string; readonly port: number };

/** TLS for a server: its certificate and key, and optionally CAs to require client certificates from. */
export interface ServerTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** When given, clients must present a certificate signed by one of these CAs. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
}

/** TLS for a client: the CAs to trust, the name to expect, and optionally its own certificate. */
export interface ClientTls {
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly servername?: string;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
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
    servername: clientTls.servername ?? ("host" in address ? address.host : "localhost"),
  };
  const socket = tls.connect(options);
  socket.setNoDelay(true);
  return socket;
}

/** The event a socket from connect() emits when it is ready for frames. */
export function readyEvent(clientTls: ClientTls | undefined): "connect" | "secureConnect" {
  return clientTls === undefined ? "connect" : "secureConnect";
}

/** Creates a server that hands each accepted (and, with TLS, authenticated) socket to `onSocket`. */
export function createServer(onSocket: (socket: net.Socket) => void, serverTls?: ServerTls): net.Server {
  if (serverTls === undefined) {
    return net.createServer({ noDelay: true }, onSocket);
  }
  return tls.createServer(
    {
      cert: serverTls.cert,
      key: serverTls.key,
      ...(serverTls.ca !== undefined ? { ca: serverTls.ca as tls.TlsOptions["ca"], requestCert: true, rejectUnauthorized: true } : {}),
    },
    (socket) => {
      socket.setNoDelay(true);
      onSocket(socket);
    },
  );
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
