/**
 * The routing of a deployment as its replicas follow it (CONTROL_WATCH_ROUTES in
 * deployer-protocol.ts): a version that the deployer bumps whenever the set of ready replicas
 * changes. A replica that asks with the current version waits for the next change, or
 * WATCH_WAIT_MS, whichever comes first; one that asks with an older version is answered at once,
 * so no change is ever missed between two polls.
 */
import type { RoutesReply } from "./deployer-protocol.js";

/** How long a watch waits for a change before it answers with the same version. */
export const WATCH_WAIT_MS = 20_000;

/** A deployment's routing version, and the replicas waiting for it to change. */
export class Routing {
  #version = 0;
  #waiters: (() => void)[] = [];
  #closed = false;

  /** The current version. */
  get version(): number {
    return this.#version;
  }

  /** The ready replicas changed: answers every waiting watch. */
  changed(): void {
    this.#version++;
    this.#wake();
  }

  /** Resolves at the next change, or when the routing closes. */
  next(): Promise<void> {
    return this.#closed ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Answers a replica that knows version `known`: at once when a newer one exists, otherwise at the
   * next change or after `waitMs`; with the routes `routesOf` gives then.
   */
  async watch(known: number, routesOf: () => RoutesReply["routes"], waitMs = WATCH_WAIT_MS): Promise<RoutesReply> {
    if (known === this.#version && !this.#closed) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.next(), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return { version: this.#version, routes: routesOf() };
  }

  /** Answers every waiting watch and waits no more (the deployment stops). */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}
