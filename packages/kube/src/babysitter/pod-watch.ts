/**
 * The pod watch: how a babysitter learns which pods of its app version can take calls. It lists
 * the pods with the version's labels, then watches from the list's resourceVersion, applying every
 * ADDED, MODIFIED and DELETED event in order, so the set it keeps is the API server's.
 *
 * - A watch that ends (the server's timeout, a dropped connection, an error) is resumed from the
 *   last resourceVersion seen after a capped exponential backoff with jitter; events are never
 *   lost, because the API server replays every change after that version.
 * - When that version is too old (410 Gone: an ERROR event with a Status of code 410, or an HTTP
 *   410), the history is gone: it lists again and replaces the whole set, so a deletion that
 *   happened while it was away is seen too.
 * - Bookmarks only move the resourceVersion forward.
 *
 * @kubernetes/client-node is imported when the watch starts, so `weaver kube deploy` never loads it.
 */
import type { CoreV1Api, V1Pod, Watch } from "@kubernetes/client-node";
import { type Peer, peersOf, samePeers } from "./peers.js";

/** Options of a pod watch. */
export interface PodWatchOptions {
  /** The namespace of the pods. */
  readonly namespace: string;
  /** The label selector (equality terms, comma-separated). */
  readonly labelSelector: string;
  /** An API server URL used with no credentials (tests); absent: the in-cluster configuration. */
  readonly apiServer?: string;
  /** Told of every change of the ready peers (after the first list, and whenever they change). */
  readonly onChange: (peers: ReadonlyMap<string, readonly Peer[]>) => void;
  /** Told of lists and watches that fail (the watch retries). */
  readonly warn: (message: string) => void;
  /** The first reconnection delay (default 250 ms), doubled per failure up to `maxBackoffMs` (default 10 s). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How long the server keeps each watch open before ending it (default 300 s, minus up to 10% jitter). */
  readonly timeoutSeconds?: number;
  /** How long past its timeoutSeconds a watch may stay open before it is taken for dead (default 30 s). */
  readonly watchdogGraceSeconds?: number;
}

/** The outcome of one watch request. */
interface WatchEnd {
  /** Events applied (bookmarks included). */
  readonly events: number;
  /** The server said the resourceVersion is too old. */
  readonly gone: boolean;
  /** Why it ended, when not cleanly. */
  readonly error?: string;
}

/** A running list-then-watch of the pods of one app version. */
export class PodWatch {
  readonly #options: PodWatchOptions;
  readonly #pods = new Map<string, V1Pod>();
  #peers: ReadonlyMap<string, readonly Peer[]> = new Map();
  /** The resourceVersion to watch from; undefined: list first. */
  #resourceVersion: string | undefined;
  #listed = false;
  #closed = false;
  #abort: (() => void) | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: PodWatchOptions) {
    this.#options = options;
  }

  /** Whether the pods have been listed at least once. */
  get listed(): boolean {
    return this.#listed;
  }

  /** The ready peers now, by group label. */
  get peers(): ReadonlyMap<string, readonly Peer[]> {
    return this.#peers;
  }

  /** Starts listing and watching in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops watching. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    if (this.#options.apiServer !== undefined) {
      const name = "weaver-kube";
      // The client refuses plain HTTP unless TLS checks are off; an https URL is checked as usual.
      const plain = this.#options.apiServer.startsWith("http:");
      config.loadFromOptions({
        clusters: [{ name, server: this.#options.apiServer, skipTLSVerify: plain }],
        users: [{ name }],
        contexts: [{ name, cluster: name, user: name }],
        currentContext: name,
      });
    } else {
      config.loadFromCluster();
    }
    const api = config.makeApiClient(k8s.CoreV1Api);
    const watch = new k8s.Watch(config);
    let failures = 0;
    while (!this.#closed) {
      if (this.#resourceVersion === undefined) {
        try {
          await this.#list(api);
          failures = 0;
        } catch (e) {
          this.#options.warn(`listing the pods of ${this.#options.labelSelector} failed (${describe(e)}); retrying`);
          await this.#sleep(this.#backoff(failures++));
          continue;
        }
      }
      const end = await this.#watch(watch);
      if (this.#closed) break;
      if (end.gone) {
        // The history after our version is compacted away: only a new list shows what changed.
        this.#resourceVersion = undefined;
        continue;
      }
      if (end.error !== undefined)
        this.#options.warn(`the watch of the pods of ${this.#options.labelSelector} ended: ${end.error}; resuming`);
      failures = end.events > 0 && end.error === undefined ? 0 : failures + 1;
      await this.#sleep(this.#backoff(failures));
    }
  }

  async #list(api: CoreV1Api): Promise<void> {
    const list = await api.listNamespacedPod({ namespace: this.#options.namespace, labelSelector: this.#options.labelSelector });
    this.#pods.clear();
    for (const pod of list.items) if (pod.metadata?.name !== undefined) this.#pods.set(pod.metadata.name, pod);
    this.#resourceVersion = list.metadata?.resourceVersion ?? "";
    this.#listed = true;
    this.#publish(true);
  }

  #watch(watch: Watch): Promise<WatchEnd> {
    const timeout = this.#options.timeoutSeconds ?? 300;
    let events = 0;
    let gone = false;
    let error: string | undefined;
    return new Promise<WatchEnd>((resolve) => {
      const path = `/api/v1/namespaces/${encodeURIComponent(this.#options.namespace)}/pods`;
      const query = {
        labelSelector: this.#options.labelSelector,
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        // Spread the watches' ends so that pods do not all reconnect at once.
        timeoutSeconds: Math.max(1, Math.round(timeout * (0.9 + Math.random() * 0.1))),
      };
      let aborted = false;
      this.#abort = () => (aborted = true);
      // The server ends every watch after timeoutSeconds; one still open well after that is on a
      // connection that died silently (no FIN from a vanished node), which only a local timer notices.
      const limit = query.timeoutSeconds + (this.#options.watchdogGraceSeconds ?? 30);
      const watchdog = setTimeout(() => {
        error = `no end from the API server ${limit} s after the watch began`;
        this.#abort?.();
      }, limit * 1000);
      watchdog.unref();
      const onEvent = (type: string, object: unknown): void => {
        if (gone || this.#closed) return;
        if (type === "ERROR") {
          const status = object as { code?: number; reason?: string; message?: string };
          if (status.code === 410) gone = true;
          else error = `the API server sent an error: ${status.code ?? "?"} ${status.reason ?? ""} ${status.message ?? ""}`.trim();
          this.#abort?.();
          return;
        }
        const pod = object as V1Pod;
        const name = pod.metadata?.name;
        events++;
        if (pod.metadata?.resourceVersion !== undefined) this.#resourceVersion = pod.metadata.resourceVersion;
        if (name === undefined || type === "BOOKMARK") return;
        if (type === "DELETED") this.#pods.delete(name);
        else if (type === "ADDED" || type === "MODIFIED") this.#pods.set(name, pod);
        this.#publish(false);
      };
      const onDone = (err: unknown): void => {
        clearTimeout(watchdog);
        this.#abort = undefined;
        const code = (err as { statusCode?: number } | null)?.statusCode;
        if (code === 410) gone = true;
        else if (err !== null && err !== undefined && error === undefined && !aborted) error = describe(err);
        resolve({ events, gone, ...(error === undefined ? {} : { error }) });
      };
      watch.watch(path, query, onEvent, onDone).then(
        (controller) => {
          if (this.#abort === undefined) return; // already done
          this.#abort = () => {
            aborted = true;
            controller.abort();
          };
          if (aborted || this.#closed) this.#abort();
        },
        (e: unknown) => onDone(e),
      );
    });
  }

  /** Recomputes the peers; tells the listener when they changed (or always, after a list). */
  #publish(force: boolean): void {
    const peers = peersOf(this.#pods.values());
    if (!force && samePeers(peers, this.#peers)) return;
    this.#peers = peers;
    this.#options.onChange(peers);
  }

  /** The delay before reconnecting after `failures` failures in a row: capped, exponential, with jitter. */
  #backoff(failures: number): number {
    const base = this.#options.backoffMs ?? 250;
    const max = this.#options.maxBackoffMs ?? 10_000;
    const ceiling = Math.min(max, base * 2 ** Math.min(failures, 20));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** A short description of a failed request (the client's errors carry whole response bodies). */
function describe(e: unknown): string {
  const code = (e as { code?: unknown; statusCode?: unknown }).code ?? (e as { statusCode?: unknown }).statusCode;
  const message = (e as Error)?.message?.split("\n")[0] ?? String(e);
  return typeof code === "number" ? `HTTP ${code}: ${message.slice(0, 200)}` : message.slice(0, 200);
}
