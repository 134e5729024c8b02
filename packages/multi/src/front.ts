/**
 * The front of a listener of a detached app: one per public listener address, owned by the
 * manager, in front of the listener proxy of each version (deployment) of the app, so that two
 * versions can share the address during a rollout.
 *
 * Overview: a connection whose first bytes are an HTTP request line is parsed by an http.Server,
 * and each request (not each connection: a keep-alive client must not stay pinned to one version)
 * goes to the version chosen for it, on a connection of its own to that version's proxy, bodies
 * streamed both ways. WebSocket upgrades and any other TCP protocol choose a version per
 * connection (one that sends nothing for SNIFF_MS is taken for a protocol where the server speaks
 * first). The choice is weighted: the version whose count in the current window is furthest
 * below its target share gets the next request, so the observed share follows the target closely.
 * A GET or HEAD without a body that fails before any answer (a version's replica crashed) is tried
 * once more on another version.
 */
import http from "node:http";
import net from "node:net";
import { bindServer } from "./proxy.js";

/** How long a connection may stay silent before it is taken for a protocol where the server speaks first. */
const SNIFF_MS = 300;
/** First bytes of an HTTP/1 request. */
const HTTP_REQUEST = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|TRACE|CONNECT) /;
/** Headers that belong to one hop and are not forwarded. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

/** A version behind the front: a deployment's listener proxy. */
interface Version {
  readonly deployment: string;
  readonly host: string;
  readonly port: number;
  /** The share of new requests it should get, 0 to 1. */
  target: number;
  /** Requests and connections given to it in the current window. */
  count: number;
  /** Requests and connections in progress. */
  inflight: number;
  /** No connection per request: the proxy closes after each answer, so that the version's replicas can drain. */
  readonly agent: http.Agent;
}

/** One row of the traffic table: a version's target share of the front's traffic. */
export interface FrontShare {
  readonly deployment: string;
  readonly fraction: number;
}

/** The front of one listener address. */
export class Front {
  readonly name: string;
  #address = "";
  readonly #versions = new Map<string, Version>();
  readonly #server = net.createServer((socket) => this.#accept(socket));
  readonly #http = http.createServer((req, res) => this.#request(req, res, new Set()));
  readonly #sockets = new Set<net.Socket>();
  /** Requests that found no version to answer them (502). */
  failed = 0;

  constructor(name: string) {
    this.name = name;
    this.#http.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.#upgrade(req, socket, head));
  }

  /** Listens on `address`; returns the address to show. */
  async listen(address: string): Promise<string> {
    this.#address = await bindServer(this.#server, address);
    return this.#address;
  }

  /** The address clients use. */
  get address(): string {
    return this.#address;
  }

  /** Adds a version (the address of its listener proxy, host:port) with a target share. */
  add(deployment: string, address: string, target: number): void {
    const i = address.lastIndexOf(":");
    const host = address.slice(0, i).replace(/^\[|\]$/g, "");
    this.#versions.set(deployment, {
      deployment,
      host,
      port: Number(address.slice(i + 1)),
      target,
      count: 0,
      inflight: 0,
      agent: new http.Agent({ keepAlive: false }),
    });
  }

  /** Sets the target shares (deployment to share; others get 0) and starts a new observation window. */
  setTargets(targets: Readonly<Record<string, number>>): void {
    for (const v of this.#versions.values()) {
      v.target = targets[v.deployment] ?? 0;
      v.count = 0;
    }
  }

  /** The share of the current window's requests each version got (undefined before any). */
  observed(deployment: string): number | undefined {
    const total = [...this.#versions.values()].reduce((n, v) => n + v.count, 0);
    return total === 0 ? undefined : (this.#versions.get(deployment)?.count ?? 0) / total;
  }

  /** Each version's target share, for the status. */
  shares(): FrontShare[] {
    return [...this.#versions.values()].map((v) => ({ deployment: v.deployment, fraction: v.target }));
  }

  /** Whether a version is behind the front. */
  has(deployment: string): boolean {
    return this.#versions.has(deployment);
  }

  /** How many versions are behind the front. */
  get size(): number {
    return this.#versions.size;
  }

  /** Takes a version out: it gets nothing new; resolves once its requests in progress have ended, or after `maxMs`. */
  async remove(deployment: string, maxMs: number): Promise<void> {
    const v = this.#versions.get(deployment);
    if (v === undefined) return;
    v.target = 0;
    this.#versions.delete(deployment);
    for (const deadline = Date.now() + maxMs; v.inflight > 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    this.#http.closeAllConnections();
    await closed;
  }

  /** The version furthest below its target share in this window, excluding `tried`. */
  #choose(tried: ReadonlySet<string>): Version | undefined {
    const candidates = [...this.#versions.values()].filter((v) => v.target > 0 && !tried.has(v.deployment));
    const total = candidates.reduce((n, v) => n + v.count, 0) + 1;
    let best: Version | undefined;
    for (const v of candidates) if (best === undefined || v.target * total - v.count > best.target * total - best.count) best = v;
    if (best !== undefined) best.count++;
    return best;
  }

  #accept(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const raw = setTimeout(() => {
      socket.off("data", first);
      this.#pipe(socket, Buffer.alloc(0));
    }, SNIFF_MS);
    const first = (chunk: Buffer): void => {
      clearTimeout(raw);
      socket.pause();
      if (HTTP_REQUEST.test(chunk.toString("latin1", 0, 8))) {
        socket.unshift(chunk);
        this.#http.emit("connection", socket);
        socket.resume();
      } else this.#pipe(socket, chunk);
    };
    socket.once("data", first);
    socket.once("close", () => clearTimeout(raw));
  }

  /** Relays a raw TCP connection to one version, its first bytes `head` already read. */
  #pipe(client: net.Socket, head: Buffer): void {
    const v = this.#choose(new Set());
    if (v === undefined || client.destroyed) {
      this.failed++;
      client.destroy();
      return;
    }
    const upstream = this.#dial(v, client);
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  /** Connects to a version for one client connection, counting it in progress until either side closes. */
  #dial(v: Version, client: net.Socket): net.Socket {
    const upstream = net.connect({ host: v.host, port: v.port });
    v.inflight++;
    this.#sockets.add(upstream);
    upstream.once("close", () => {
      v.inflight--;
      this.#sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => upstream.destroy());
    client.once("close", () => upstream.destroy());
    return upstream;
  }

  #upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const v = this.#choose(new Set());
    if (v === undefined) {
      this.failed++;
      socket.destroy();
      return;
    }
    const upstream = this.#dial(v, socket);
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  }

  #request(req: http.IncomingMessage, res: http.ServerResponse, tried: Set<string>): void {
    const v = this.#choose(tried);
    if (v === undefined) {
      this.failed++;
      res.writeHead(502, { "content-type": "text/plain" }).end(`no version of the app serves listener ${this.name} now\n`);
      return;
    }
    tried.add(v.deployment);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && value !== undefined) headers[k] = value;
    v.inflight++;
    let done = false;
    const finish = (): void => {
      if (!done) v.inflight--;
      done = true;
    };
    const upstream = http.request({ host: v.host, port: v.port, method: req.method, path: req.url, headers, agent: v.agent }, (up) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && value !== undefined) out[k] = value;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
      up.pipe(res);
      up.once("end", finish);
      up.once("error", () => {
        finish();
        res.destroy();
      });
    });
    const bodyless =
      (req.method === "GET" || req.method === "HEAD") &&
      req.headers["content-length"] === undefined &&
      req.headers["transfer-encoding"] === undefined;
    upstream.once("error", () => {
      finish();
      if (res.headersSent) res.destroy();
      else if (bodyless) this.#request(req, res, tried);
      else {
        this.failed++;
        res.writeHead(502, { "content-type": "text/plain" }).end(`version ${v.deployment.slice(0, 8)} failed to answer\n`);
      }
    });
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
      finish();
    });
    if (bodyless) upstream.end();
    else req.pipe(upstream);
  }
}
