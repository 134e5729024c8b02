/**
 * A listener shared with its replicas: the deployer binds the socket, and every replica that owns
 * the listener inherits its file descriptor and accepts connections on it itself, as Node's
 * cluster module does in its SCHED_NONE mode; the kernel gives each connection to one of the
 * replicas waiting on it. No byte passes through the deployer (the TCP proxy's extra hop cost a
 * foreground deployment half its HTTP throughput).
 *
 * The deployer only binds the socket and never listens on it itself: a listening socket in its
 * event loop would take connections too, and being idle, most of them. The first replica's
 * listen() puts the socket in the listening state, where it stays while the deployer holds it, so
 * connections that arrive while no replica accepts (all of them restarting) wait in the kernel's
 * backlog rather than being refused. Before the first replica listens, connections are refused.
 *
 * Binding without listening would not find every conflict (two sockets with SO_REUSEADDR may bind
 * one port until one listens), so the address is first checked by listening on it with a probe
 * server (bindServer: the proxy's checks and errors), kept until every listener of the deployment
 * has its address, then closed and bound again, without listening, on the exact host and port.
 */
import net from "node:net";
import { getSystemErrorName } from "node:util";
import { formatAddress } from "@weaver/runtime";
import { bindServer } from "./proxy.js";

/** The part of Node's TCP handle this file uses. */
interface ServerHandle {
  readonly fd: number;
  close(): void;
}

/** Node's net._createServerHandle (what cluster binds with): a bound, not listening, handle, or a negative errno. */
type CreateServerHandle = (address: string, port: number, addressType: number, fd: undefined, flags: number) => ServerHandle | number;

const createServerHandle = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;

/** A listening socket bound by the deployer, accepted on by the replicas that inherit it. */
export class SharedListener {
  readonly name: string;
  #probe: net.Server | undefined;
  #handle: ServerHandle | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** Whether this Node can share listening sockets with child processes (else use ListenerProxy). */
  static get supported(): boolean {
    return typeof createServerHandle === "function" && process.platform !== "win32";
  }

  /**
   * Checks that `address` can be listened on (host:port; ":0" picks a free port on every
   * interface) and holds it; returns the address to show. Call bind() once every listener of the
   * deployment has been checked.
   */
  async check(address: string): Promise<string> {
    // A client may connect in the moment the probe listens: refuse it rather than leave it hanging.
    const probe = net.createServer((socket) => socket.destroy());
    const shown = await bindServer(probe, address);
    this.#probe = probe;
    return shown;
  }

  /** Replaces the probe with the socket the replicas inherit. */
  async bind(): Promise<void> {
    const probe = this.#probe;
    if (probe === undefined || createServerHandle === undefined) throw new Error(`listener ${this.name} was not checked`);
    const { address, port, family } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    this.#probe = undefined;
    const handle = createServerHandle(address, port, family === "IPv6" ? 6 : 4, undefined, 0);
    if (typeof handle === "number") {
      const code = getSystemErrorName(handle);
      throw Object.assign(new Error(`${code}: cannot bind ${formatAddress(address, port)} again`), { code });
    }
    this.#handle = handle;
  }

  /** The socket's file descriptor in this process, to pass to replicas. */
  get fd(): number {
    if (this.#handle === undefined) throw new Error(`listener ${this.name} is not bound`);
    return this.#handle.fd;
  }

  /** Closes the deployer's copy of the socket (replicas that hold it keep it open until they exit). */
  close(): void {
    this.#probe?.close();
    this.#probe = undefined;
    this.#handle?.close();
    this.#handle = undefined;
  }
}
