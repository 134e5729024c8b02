/**
 * The listener proxy: one TCP proxy per listener, on the address the config gives
 * (`[multi] listeners.<name>.address`), in front of the replicas that own the listener (for a
 * detached deployment, on a free loopback port behind the manager's front: see front.ts). It works
 * at the connection level, so HTTP, WebSocket upgrades and any other TCP protocol pass through
 * unchanged. Each connection goes to the next live backend in turn; a backend that refuses the
 * connection is skipped, and backends of replicas that die are dropped at once.
 */
import net from "node:net";
import { lookup } from "node:dns/promises";
import { formatAddress, parseAddress, type Address } from "@weaver/runtime";

/** Binds `server` to `address` (host:port; ":0" picks a free port on every interface); returns the address to show. */
export async function bindServer(server: net.Server, address: string): Promise<string> {
  const parsed = parseAddress(address) as Address;
  let host = parsed.host === "" ? "::" : parsed.host;
  if (net.isIP(host) === 0)
    host = ((await lookup(host, { all: true })).sort((a, b) => a.family - b.family)[0] as { address: string }).address;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: parsed.port, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return formatAddress(host, (server.address() as net.AddressInfo).port);
}

/** A replica's bound listener. */
export interface Backend {
  readonly replica: string;
  readonly host: string;
  readonly port: number;
}

/** A TCP proxy for one listener. */
export class ListenerProxy {
  readonly name: string;
  #backends: Backend[] = [];
  #next = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  /** Open connections to each backend, by replica: a replica leaving the proxy is stopped once they end (drained). */
  readonly #open = new Map<string, number>();
  /** Connections proxied, and those that found no backend. */
  readonly stats = { connections: 0, failed: 0 };

  constructor(name: string) {
    this.name = name;
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** Listens on `address` (host:port; ":0" picks a free port on every interface); returns the address to show. */
  listen(address: string): Promise<string> {
    return bindServer(this.#server, address);
  }

  /** Replaces the set of backends. */
  setBackends(backends: readonly Backend[]): void {
    this.#backends = [...backends];
  }

  /**
   * Resolves once no connection to the replica's backend is open, or after `maxMs` (a client may
   * keep an idle connection for ever). Call after the replica has left the backends: a replica
   * stopped with a connection open here would drop a request the client has sent or is sending.
   */
  async drained(replica: string, maxMs: number): Promise<void> {
    for (const deadline = Date.now() + maxMs; (this.#open.get(replica) ?? 0) > 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops accepting connections and closes the open ones. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  #accept(client: net.Socket): void {
    this.stats.connections++;
    this.#sockets.add(client);
    client.once("close", () => this.#sockets.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    this.#connect(client, new Set());
  }

  #connect(client: net.Socket, tried: Set<string>): void {
    const candidates = this.#backends.filter((b) => !tried.has(b.replica));
    if (candidates.length === 0 || client.destroyed) {
      if (!client.destroyed) this.stats.failed++;
      client.destroy();
      return;
    }
    const backend = candidates[this.#next++ % candidates.length] as Backend;
    const upstream = net.connect({ host: backend.host, port: backend.port });
    upstream.setNoDelay(true);
    let relayed = false;
    this.#sockets.add(upstream);
    // Counted open from the moment it is dialled, not once connected: a replica that drained()
    // while a dial was under way would stop and close the connection before its request arrived.
    this.#open.set(backend.replica, (this.#open.get(backend.replica) ?? 0) + 1);
    upstream.once("close", () => {
      this.#sockets.delete(upstream);
      const n = (this.#open.get(backend.replica) ?? 1) - 1;
      if (n === 0) this.#open.delete(backend.replica);
      else this.#open.set(backend.replica, n);
    });
    upstream.once("error", () => {
      upstream.destroy();
      // Before anything was relayed, another backend can still take the connection.
      if (!relayed) this.#connect(client, tried.add(backend.replica));
      else client.destroy();
    });
    upstream.once("connect", () => {
      relayed = true;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      client.once("close", () => upstream.destroy());
      upstream.once("close", () => client.destroy());
    });
  }
}
