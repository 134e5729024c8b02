/**
 * Network listeners: `lis = listener()`. The runtime binds each listener before init() runs, on
 * the address the deployer's config gives (`[single] listeners.lis = {address = "..."}`) or on a
 * free port, so `this.lis.address` is known before anything serves. Pass the listener to
 * `server.listen(this.lis)`: Node accepts any object that carries a bound handle.
 */
import net from "node:net";
import { lookup } from "node:dns/promises";
import { formatAddress, type Address } from "@weaver/runtime";
import { coreError } from "./errors.js";

let bindImpl: (lis: Listener, name: string, server: net.Server, shown: string) => void;

/** A network listener owned by a component. */
export class Listener {
  readonly #requested: string | undefined;
  #name: string | undefined;
  #server: net.Server | undefined;
  #shown: string | undefined;

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
    return (this.#bound().server.address() as net.AddressInfo).port;
  }

  /** The host this process listens on (e.g. "127.0.0.1" or "::"). */
  get host(): string {
    return (this.#bound().server.address() as net.AddressInfo).address;
  }

  /**
   * The bound socket handle. Node's `server.listen(handle)` takes over any object that has one,
   * which is what makes `http.createServer(h).listen(this.lis)` work.
   */
  get _handle(): unknown {
    return (this.#bound().server as unknown as { _handle: unknown })._handle;
  }

  /** Returns the address, so the listener prints as `host:port`. */
  toString(): string {
    return this.#shown ?? this.name;
  }

  /** Stops accepting connections on the listener's socket. */
  close(): Promise<void> {
    const server = this.#server;
    if (server === undefined || !server.listening) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  #bound(): { server: net.Server; shown: string } {
    if (this.#server === undefined || this.#shown === undefined) {
      throw coreError(
        "WEAVER_ERR_LISTENER_UNBOUND",
        `listener ${this.name} is not bound: use it from init() or main() of a component the runtime created`,
      );
    }
    return { server: this.#server, shown: this.#shown };
  }

  static {
    bindImpl = (lis, name, server, shown) => {
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
 * clients are told (a deployer's proxy).
 */
export async function bindListener(lis: Listener, name: string, address: Address, shown?: string): Promise<void> {
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
