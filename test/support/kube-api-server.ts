/**
 * A small Kubernetes API server on loopback for tests: pods only, with the real list/watch
 * protocol. GET /api/v1/namespaces/<ns>/pods lists them (a PodList whose metadata.resourceVersion
 * is the store's); with watch=1|true and resourceVersion=N it streams, as chunked JSON lines, a
 * {"type", "object"} event for every change after N, then every new one, until timeoutSeconds or
 * dropWatches(). labelSelector (equality terms, comma-separated) filters both. A resourceVersion
 * older than the history kept (see compact()) gets what the API server sends: an ERROR event whose
 * object is a Status with code 410, reason Expired, "too old resource version".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A pod as the fake server stores it (the fields the babysitter reads, and any others). */
export interface FakePod {
  apiVersion: "v1";
  kind: "Pod";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    resourceVersion?: string;
    deletionTimestamp?: string;
  };
  spec: { containers: { name: string; ports: { name: string; containerPort: number }[] }[] };
  status: { phase: string; podIP?: string; conditions: { type: string; status: string }[] };
}

/** Makes a pod object: Running, with `podIP` and a container port named weaver-rpc. */
export function makePod(options: {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  podIP?: string;
  ready?: boolean;
  rpcPort?: number;
}): FakePod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: options.name, namespace: options.namespace ?? "default", labels: { ...options.labels } },
    spec: { containers: [{ name: "weaver", ports: [{ name: "weaver-rpc", containerPort: options.rpcPort ?? 10000 }] }] },
    status: {
      phase: "Running",
      ...(options.podIP === undefined ? {} : { podIP: options.podIP }),
      conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }],
    },
  };
}

type EventType = "ADDED" | "MODIFIED" | "DELETED";

interface Change {
  readonly rv: number;
  readonly type: EventType;
  readonly pod: FakePod;
}

interface Watcher {
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly res: ServerResponse;
  /** Silent and never ended, as a stream on a connection that died without a FIN. */
  stalled?: boolean;
}

/** The fake API server. */
export class KubeApiServer {
  readonly #server: Server;
  readonly #pods = new Map<string, FakePod>();
  #rv = 1;
  /** Changes after `#compactedAt`, oldest first. */
  #history: Change[] = [];
  #compactedAt = 1;
  readonly #watchers = new Set<Watcher>();
  readonly #sockets = new Set<Socket>();
  #failures = 0;
  /** Requests served, by kind. */
  lists = 0;
  watches = 0;
  /** Every request's URL, in order. */
  readonly requests: string[] = [];
  url = "";

  private constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on("connection", (s) => {
      this.#sockets.add(s);
      s.once("close", () => this.#sockets.delete(s));
    });
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  static async start(): Promise<KubeApiServer> {
    const s = new KubeApiServer();
    await new Promise<void>((resolve) => s.#server.listen(0, "127.0.0.1", resolve));
    s.url = `http://127.0.0.1:${(s.#server.address() as AddressInfo).port}`;
    return s;
  }

  /** The current resourceVersion. */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** Adds a pod (ADDED). */
  addPod(pod: FakePod): void {
    this.#change("ADDED", pod);
  }

  /** Replaces a pod, changed by `update` (MODIFIED). */
  updatePod(name: string, update: (pod: FakePod) => void): void {
    const pod = this.#pods.get(name);
    if (pod === undefined) throw new Error(`no pod ${name}`);
    const copy = structuredClone(pod);
    update(copy);
    this.#change("MODIFIED", copy);
  }

  /** Deletes a pod (DELETED). */
  deletePod(name: string): void {
    const pod = this.#pods.get(name);
    if (pod === undefined) throw new Error(`no pod ${name}`);
    this.#change("DELETED", structuredClone(pod));
  }

  /** Forgets the history: watches from any version before now get 410 Gone. */
  compact(): void {
    this.#history = [];
    this.#compactedAt = this.#rv;
  }

  /** Ends every watch stream abruptly (the connection is destroyed mid-stream). */
  dropWatches(): void {
    for (const w of this.#watchers) w.res.socket?.destroy();
    this.#watchers.clear();
  }

  /**
   * Makes every open watch stream go silent and never end (no events, no timeout), as on a
   * connection that died without a FIN; watches opened later behave normally.
   */
  stallWatches(): void {
    for (const w of this.#watchers) w.stalled = true;
  }

  /** Answers the next `n` requests with 500. */
  failNext(n: number): void {
    this.#failures = n;
  }

  /** Stops the server and every connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #change(type: EventType, pod: FakePod): void {
    this.#rv++;
    const stored: FakePod = { ...pod, metadata: { ...pod.metadata, resourceVersion: String(this.#rv) } };
    if (type === "DELETED") this.#pods.delete(stored.metadata.name);
    else this.#pods.set(stored.metadata.name, stored);
    const change = { rv: this.#rv, type, pod: stored };
    this.#history.push(change);
    for (const w of this.#watchers) if (w.stalled !== true && matches(w, stored)) send(w.res, { type, object: stored });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(req.url ?? "");
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (this.#failures > 0) {
      this.#failures--;
      status(res, 500, "InternalError", "injected failure");
      return;
    }
    if (req.method !== "GET" || m === null) {
      status(res, 404, "NotFound", `the server could not find ${url.pathname}`);
      return;
    }
    const namespace = decodeURIComponent(m[1] as string);
    const selector = parseSelector(url.searchParams.get("labelSelector") ?? "");
    if (selector === undefined) {
      status(res, 400, "BadRequest", "unable to parse requirement");
      return;
    }
    const watch = url.searchParams.get("watch");
    if (watch !== "1" && watch !== "true") {
      this.lists++;
      const items = [...this.#pods.values()].filter((p) => matches({ namespace, selector }, p));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: String(this.#rv) }, items }));
      return;
    }
    this.watches++;
    const from = Number(url.searchParams.get("resourceVersion") ?? String(this.#rv));
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    if (from < this.#compactedAt) {
      // What the API server does: a 200 stream with one ERROR event, then the end.
      send(res, {
        type: "ERROR",
        object: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: `too old resource version: ${from} (${this.#compactedAt})`,
          reason: "Expired",
          code: 410,
        },
      });
      res.end();
      return;
    }
    const watcher: Watcher = { namespace, selector, res };
    for (const c of this.#history) if (c.rv > from && matches(watcher, c.pod)) send(res, { type: c.type, object: c.pod });
    if (url.searchParams.get("allowWatchBookmarks") === "true") {
      send(res, { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: String(this.#rv) } } });
    }
    this.#watchers.add(watcher);
    const timeout = Number(url.searchParams.get("timeoutSeconds") ?? "0");
    const timer = timeout > 0 ? setTimeout(() => watcher.stalled === true || res.end(), timeout * 1000) : undefined;
    res.once("close", () => {
      clearTimeout(timer);
      this.#watchers.delete(watcher);
    });
  }
}

function send(res: ServerResponse, event: unknown): void {
  res.write(`${JSON.stringify(event)}\n`);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}

/** Equality terms (k=v or k==v), comma-separated; undefined when another form is used. */
function parseSelector(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const term of text.split(",").filter((t) => t !== "")) {
    const m = /^([^=!]+)==?([^=]*)$/.exec(term.trim());
    if (m === null) return undefined;
    out[(m[1] as string).trim()] = (m[2] as string).trim();
  }
  return out;
}

function matches(w: { namespace: string; selector: Record<string, string> }, pod: FakePod): boolean {
  return pod.metadata.namespace === w.namespace && Object.entries(w.selector).every(([k, v]) => pod.metadata.labels[k] === v);
}
