/**
 * The routing of a deployment as its replicas follow it (CONTROL_WATCH_ROUTES in
 * deployer-protocol.ts): a version that the deployer bumps whenever the set of ready replicas
 * changes. A replica that asks with the current version waits for the next change, or
 * WATCH_WAIT_MS, whichever comes first; one that asks with an older version is answered at once,
 * so no change is ever missed between two polls.
 *
 * It also keeps the assignment of each routed component (see "Routing keys" in
 * deployer-protocol.ts): its members, with a version that changes only when they do, so that every
 * replica rebuilds its KeyAssignment only then.
 */
import type { RoutesReply } from "./deployer-protocol.js";
import type { AssignmentArgs, Assignments } from "./replica-args.js";

/** How long a watch waits for a change before it answers with the same version. */
export const WATCH_WAIT_MS = 20_000;

/** A deployment's routing version, and the replicas waiting for it to change. */
export class Routing {
  #version = 0;
  #waiters: (() => void)[] = [];
  #closed = false;
  readonly #assignments = new Map<string, AssignmentArgs>();

  /** The current version. */
  get version(): number {
    return this.#version;
  }

  /** The ready replicas changed: answers every waiting watch. */
  changed(): void {
    this.#version++;
    this.#wake();
  }

  /**
   * Sets the members of a routed component: the stable names of its replica slots, all of them,
   * up or not. Its assignment's version, and the routing's, change only when the list does.
   */
  assign(component: string, members: readonly string[]): void {
    const current = this.#assignments.get(component);
    if (current !== undefined && current.members.length === members.length && current.members.every((m, i) => m === members[i])) return;
    this.#assignments.set(component, { version: (current?.version ?? 0) + 1, members: [...members] });
    this.changed();
  }

  /** The assignments of those of `components` that are routed; undefined when none is. */
  assignmentsFor(components: Iterable<string>): Assignments | undefined {
    let out: Record<string, AssignmentArgs> | undefined;
    for (const c of components) {
      const a = this.#assignments.get(c);
      if (a !== undefined) (out ??= {})[c] = a;
    }
    return out;
  }

  /** Resolves at the next change, or when the routing closes. */
  next(): Promise<void> {
    return this.#closed ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Answers a replica that knows version `known`: at once when a newer one exists, otherwise at the
   * next change or after `waitMs`; with the routes `routesOf` gives then, and the assignments of the
   * routed components among them.
   */
  async watch(known: number, routesOf: () => RoutesReply["routes"], waitMs = WATCH_WAIT_MS): Promise<RoutesReply> {
    if (known === this.#version && !this.#closed) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.next(), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    const routes = routesOf();
    const assignments = this.assignmentsFor(Object.keys(routes));
    return { version: this.#version, routes, ...(assignments === undefined ? {} : { assignments }) };
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
