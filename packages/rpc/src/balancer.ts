/**
 * Balancers pick the replica each call goes to. They pick per call, among the replicas whose
 * connection is ready, so load spreads even though each replica has one multiplexed connection.
 */

/** What a balancer sees of a replica. */
export interface Candidate {
  /** The replica's id. */
  readonly id: string;
  /** Calls sent to it that have not been answered. */
  readonly outstanding: number;
}

/** Picks a candidate for a call; `candidates` is never empty. */
export interface Balancer {
  pick<C extends Candidate>(candidates: readonly C[]): C;
}

/** The balancers to choose from by name. */
export type BalancerName = "round-robin" | "least-outstanding" | "power-of-two";

/** Each call goes to the next replica in turn. */
export function roundRobin(): Balancer {
  let next = 0;
  return {
    pick: (candidates) => candidates[next++ % candidates.length]!,
  };
}

/** Each call goes to the replica with the fewest calls outstanding (the next in turn among ties). */
export function leastOutstanding(): Balancer {
  let next = 0;
  return {
    pick: (candidates) => {
      const start = next++ % candidates.length;
      let best = candidates[start]!;
      for (let i = 1; i < candidates.length; i++) {
        const c = candidates[(start + i) % candidates.length]!;
        if (c.outstanding < best.outstanding) best = c;
      }
      return best;
    },
  };
}

/** Each call goes to the less loaded of two replicas picked at random ("power of two choices"). */
export function powerOfTwo(random: () => number = Math.random): Balancer {
  return {
    pick: (candidates) => {
      if (candidates.length === 1) return candidates[0]!;
      const a = Math.floor(random() * candidates.length);
      let b = Math.floor(random() * (candidates.length - 1));
      if (b >= a) b++;
      const ca = candidates[a]!;
      const cb = candidates[b]!;
      return cb.outstanding < ca.outstanding ? cb : ca;
    },
  };
}

/** Returns the balancer of a name. */
export function balancerNamed(name: BalancerName): Balancer {
  switch (name) {
    case "round-robin":
      return roundRobin();
    case "least-outstanding":
      return leastOutstanding();
    case "power-of-two":
      return powerOfTwo();
  }
}
