/**
 * A rollout between two versions (deployments) of an app behind the same fronts: the new
 * version's share of every listener moves through ROLLOUT_STEPS, as Service Weaver's gke deployer
 * does; each step is held for a fifth of the rollout's duration, and then until the share the
 * fronts observed in the step is within ROLLOUT_TOLERANCE of the target. Then the old version
 * gets nothing new and its requests in progress end (the caller stops it).
 *
 * While it runs, `problem` is asked every CHECK_MS whether the new version is failing (its
 * replicas crash-looping or failing health checks); if so, every listener goes back to the old
 * version at once, the new version's requests in progress end, and the rollout ends "rolled back"
 * with the reason (the caller stops the new version).
 */
import type { RolloutStatus } from "@weaver/runtime";
import type { Front } from "./front.js";

/** The new version's share at each step. */
export const ROLLOUT_STEPS: readonly number[] = [0.1, 0.25, 0.5, 0.75, 1];
/** How far the observed share may be from the target for a step to end. */
export const ROLLOUT_TOLERANCE = 0.05;
/** How often the new version's health is checked. */
const CHECK_MS = 100;
/** How long a version taken out of the fronts has for its requests in progress. */
const DRAIN_MS = 10_000;

/** What a rollout needs. */
export interface RolloutOptions {
  readonly fronts: readonly Front[];
  readonly from: string;
  readonly to: string;
  readonly durationMs: number;
  /** Why the new version must be rolled back, or undefined while it is fine. */
  readonly problem: () => string | undefined;
  /** Writes a line to the deployment's log. */
  readonly log: (message: string) => void;
}

/** A rollout in progress or ended. */
export class Rollout {
  readonly #o: RolloutOptions;
  #state: RolloutStatus["state"] = "rolling";
  #reason: string | undefined;
  /** When each step began; steps not begun yet are planned from now. */
  readonly #began: number[] = [];

  constructor(options: RolloutOptions) {
    this.#o = options;
  }

  /** Whether it still runs. */
  get running(): boolean {
    return this.#state === "rolling";
  }

  /** Its status: the steps taken, and while it runs, those ahead at the earliest time they can begin. */
  status(): RolloutStatus {
    const hold = this.#o.durationMs / ROLLOUT_STEPS.length;
    const now = Date.now();
    const steps = ROLLOUT_STEPS.flatMap((fraction, i) => {
      const at = this.#began[i];
      if (at !== undefined) return [{ at, fraction, planned: false }];
      if (!this.running) return [];
      const last = this.#began.at(-1) ?? now;
      return [{ at: Math.max(now, last + hold * (i - this.#began.length + 1)), fraction, planned: true }];
    });
    return {
      from: this.#o.from,
      to: this.#o.to,
      state: this.#state,
      steps,
      ...(this.#reason === undefined ? {} : { reason: this.#reason }),
    };
  }

  /** Runs the steps; resolves with the outcome once the version that lost has no request in progress. */
  async run(): Promise<"done" | "rolled back"> {
    const { fronts, from, to, durationMs, log } = this.#o;
    const hold = durationMs / ROLLOUT_STEPS.length;
    for (const fraction of ROLLOUT_STEPS) {
      this.#began.push(Date.now());
      for (const f of fronts) f.setTargets({ [to]: fraction, [from]: 1 - fraction });
      log(`rollout of ${to.slice(0, 8)}: ${Math.round(fraction * 100)}% of the traffic`);
      const until = Date.now() + hold;
      // Held for its time, then until every front's observed share is near the target.
      while (Date.now() < until || !fronts.every((f) => Math.abs((f.observed(to) ?? fraction) - fraction) <= ROLLOUT_TOLERANCE)) {
        const reason = this.#o.problem();
        if (reason !== undefined) return this.#rollBack(reason, fraction);
        await new Promise((resolve) => setTimeout(resolve, CHECK_MS));
      }
    }
    await Promise.all(fronts.map((f) => f.remove(from, DRAIN_MS)));
    this.#state = "done";
    log(`rollout of ${to.slice(0, 8)} done: ${from.slice(0, 8)} gets no traffic and stops`);
    return "done";
  }

  async #rollBack(reason: string, fraction: number): Promise<"rolled back"> {
    const { fronts, from, to, log } = this.#o;
    this.#reason = `rolled back at ${Math.round(fraction * 100)}%: ${reason}`;
    this.#state = "rolled back";
    for (const f of fronts) f.setTargets({ [from]: 1 });
    log(`rollout of ${to.slice(0, 8)} ${this.#reason}`);
    await Promise.all(fronts.map((f) => f.remove(to, DRAIN_MS)));
    return "rolled back";
  }
}
