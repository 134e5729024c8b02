/**
 * Network listeners: `lis = listener()`. The runtime binds each listener before init() runs, on
 * the address the deployer's config gives (`[single] listeners.lis = {address = "..."}`) or on a
 * free port, so `this.lis.address` is known before anything serves. Pass the listener to
 * `server.listen(this.lis)`: Node accepts any object that carries a bound handle.
 */
import net from "node:net";
import { lookup } from "node:dns/promises";
import { formatAddress, parseAddress, type Address } from "@weaver/runtime";
import { coreError } from "./errors.js";

let bindImpl: (lis: Listener, name: string, server: net.Server | undefined, shown: string, fd?: number) => void;

/** How long a listener shared with other replicas waits, when it closes, for its open connections to end. */
const SHARED_DRAIN_MS = 10_000;

/** A network listener owned by a component. */
export class Listener {
  readonly #requested: string | undefined;
  #name: string | undefined;
  #server: net.Server | undefined;
  #shown: string | undefined;
  /** A listening socket shared with other replicas (inherited from a deployer), until the app listens on it. */
  #fd: number | undefined;
  /** Whether the socket is shared with other replicas: closing it drains. */
  #shared = false;
  /** The close in progress or done. */
  #closing: Promise<void> | undefined;
  /** The open connections of the server that accepts on a shared socket (see drainOwner). */
  #connections: Set<net.Socket> | undefined;

  /** Use listener() rather than the constructor. */
  constructor(name?: string) {
    this.#requested = name;
  }

  /** The listener's name: the one given to listener(), or the field's name. */
  get name(): string {
    return this.#name ?? this.#requested ?? "(unbound listener)";
  }

  /**
   * The address clients should use, as `host:port`: the bound address in a single process, the
   * proxy's address when a deployer puts a proxy in front of the replicas.
   */
  get address(): string {
    return this.#bound().shown;
  }

  /** The port this process listens on. */
  get port(): number {
    const { server, shown } = this.#bound();
    const bound = server?.address() as net.AddressInfo | null | undefined;
    return bound?.port ?? (parseAddress(shown) as Address).port;
  }

  /** The host this process listens on (e.g. "127.0.0.1" or "::"). */
  get host(): string {
    const { server, shown } = this.#bound();
    const bound = server?.address() as net.AddressInfo | null | undefined;
    return bound?.address ?? (parseAddress(shown) as Address).host;
  }

  /**
   * The bound socket handle. Node's `server.listen(handle)` takes over any object that has one,
   * which is what makes `http.createServer(h).listen(this.lis)` work.
   */
  get _handle(): unknown {
    let { server } = this.#bound();
    if (server === undefined) {
      // An inherited socket: listen on it now, in the same tick as the app's server takes it over.
      const own = (server = this.#server = net.createServer());
      own.listen({ fd: this.#fd as number });
      // The app's server takes the handle over in the listen() that asked for it; track its
      // connections from then on, before the first can be accepted.
      process.nextTick(() => {
        const owner = ownerOf(own);
        if (owner === undefined || owner === own) return;
        const connections = (this.#connections = new Set());
        owner.on("connection", (socket: net.Socket) => {
          connections.add(socket);
          socket.once("close", () => connections.delete(socket));
        });
      });
    }
    return (server as unknown as { _handle: unknown })._handle;
  }

  /** Returns the address, so the listener prints as `host:port`. */
  toString(): string {
    return this.#shown ?? this.name;
  }

  /**
   * Stops accepting connections on the listener's socket. A socket shared with other replicas
   * keeps listening in them, and the connections waiting to be accepted go to them; this process
   * then lets the requests it accepted finish (see drainOwner) before it resolves.
   */
  close(): Promise<void> {
    // Once is enough: a replica closes its listeners as it starts to stop, and again at shutdown.
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    if (server === undefined || !server.listening) return;
    const owner = this.#shared ? ownerOf(server) : undefined;
    if (owner !== undefined && owner !== server) await drainOwner(owner, this.#connections ?? new Set(), SHARED_DRAIN_MS);
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #bound(): { server: net.Server | undefined; shown: string } {
    if ((this.#server === undefined && this.#fd === undefined) || this.#shown === undefined) {
      throw coreError(
        "WEAVER_ERR_LISTENER_UNBOUND",
        `listener ${this.name} is not bound: use it from init() or main() of a component the runtime created`,
      );
    }
    return { server: this.#server, shown: this.#shown };
  }

  static {
    bindImpl = (lis, name, server, shown, fd) => {
      lis.#fd = fd;
      lis.#shared = fd !== undefined;
      lis.#closing = undefined;
      lis.#name = name;
      lis.#server = server;
      lis.#shown = shown;
    };
  }
}

/**
 * Declares a network listener; assign it to a field of a component implementation. It is named
 * after the field unless a name is given, and the name keys its options in the config
 * (`[single] listeners.<name>`).
 *
 * @example
 * export class App extends Implements<Main>() {
 *   lis = listener();
 *   async main() {
 *     http.createServer(handler).listen(this.lis);
 *     console.log(`http listener available on ${this.lis}`);
 *   }
 * }
 */
export function listener(name?: string): Listener {
  return new Listener(name);
}

/**
 * Binds a listener. `address.host` "" listens on every interface; a host name is resolved,
 * IPv4 first, so `localhost` binds (and shows as) 127.0.0.1. `shown` overrides the address
 * clients are told (a deployer's proxy). With `fd`, the listener accepts on a socket the deployer
 * bound and this process inherited (shared with the listener's other replicas) instead.
 */
export async function bindListener(lis: Listener, name: string, address: Address, shown?: string, fd?: number): Promise<void> {
  if (fd !== undefined) {
    // Accepting starts only when the app listens (see _handle): a connection accepted before the
    // app's server exists would wait for nothing, when another replica could serve it.
    bindImpl(lis, name, undefined, shown ?? formatAddress(address.host, address.port), fd);
    return;
  }
  let hosts: string[];
  if (address.host === "") {
    hosts = ["::", "0.0.0.0"];
  } else if (net.isIP(address.host) !== 0) {
    hosts = [address.host];
  } else {
    try {
      const found = await lookup(address.host, { all: true });
      hosts = found.sort((a, b) => a.family - b.family).map((a) => a.address);
    } catch (e) {
      const where = formatAddress(address.host, address.port);
      throw coreError(
        "WEAVER_ERR_LISTENER_BIND",
        `listener ${name} cannot listen on ${where}: host ${address.host} does not resolve (${(e as NodeJS.ErrnoException).code}); ` +
          `correct the host name, use an IP address of this machine (127.0.0.1 for this machine only), or leave the host out (":${address.port}") to listen on every interface`,
        e,
      );
    }
  }
  let lastError: NodeJS.ErrnoException | undefined;
  for (const host of hosts) {
    const server = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host, port: address.port, exclusive: true }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const port = (server.address() as net.AddressInfo).port;
      bindImpl(lis, name, server, shown ?? formatAddress(host, port));
      return;
    } catch (e) {
      lastError = e as NodeJS.ErrnoException;
      // Only a missing address family is worth another try; a busy port is busy on all of them.
      if (lastError.code !== "EAFNOSUPPORT" && lastError.code !== "EADDRNOTAVAIL") break;
    }
  }
  const where = formatAddress(address.host, address.port);
  const why = lastError?.code === "EADDRINUSE" ? "address already in use" : (lastError?.message ?? "no address");
  throw coreError(
    "WEAVER_ERR_LISTENER_BIND",
    `listener ${name} cannot listen on ${where}: ${why}; stop what uses it or set another address in the deployer's listeners.${name}`,
    lastError,
  );
}

/** Node's symbol under which a listening handle names the server that listens on it. */
const OWNER = "owner_symbol";

/**
 * The server that took the listener's handle over (`http.createServer(h).listen(lis)`), found by
 * the handle's owner symbol; undefined when Node keeps it elsewhere.
 */
function ownerOf(server: net.Server): net.Server | undefined {
  const handle = (server as unknown as { _handle?: object | null })._handle;
  if (handle === undefined || handle === null) return undefined;
  const symbol = Object.getOwnPropertySymbols(handle).find((s) => s.description === OWNER);
  const owner = symbol === undefined ? undefined : (handle as Record<symbol, unknown>)[symbol];
  return owner instanceof net.Server ? owner : undefined;
}

/**
 * Drains the server that accepts on a shared listener: it stops accepting (an HTTP server also
 * closes the connections idle at that moment), answers the requests that arrive from now on with
 * `Connection: close` (so keep-alive clients take their next request elsewhere), closes the
 * `connections` that have not sent a byte (a browser's preconnected socket would otherwise hold
 * the drain until the server's request timeout: nothing is lost, the client sends its request
 * on a new connection), and resolves once its connections have ended or after `maxMs`.
 * Connections are not closed while they may be carrying a request: one whose answer was already
 * under way stays open until the client sends another request (answered, then closed) or the
 * server's keep-alive timeout ends it.
 */
async function drainOwner(owner: net.Server, connections: ReadonlySet<net.Socket>, maxMs: number): Promise<void> {
  owner.prependListener("request", (_req: unknown, res: { shouldKeepAlive: boolean }) => {
    res.shouldKeepAlive = false;
  });
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<void>((resolve) => owner.close(() => resolve()));
  for (const socket of connections) if (socket.bytesRead === 0) socket.destroy();
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))]);
  clearTimeout(timer);
}
