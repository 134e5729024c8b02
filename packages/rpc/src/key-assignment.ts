/**
 * Routing keys to replicas: calls with the same key go to the same replica, and keys stay put
 * when replicas come and go.
 *
 * A key (a number, string, bigint, boolean, or a flat object of those) is encoded canonically
 * (the same text in every process, whatever the object's key order) and hashed to 32 bits. The
 * hash picks one of SLOTS slots; each slot belongs to the member with the highest rendezvous
 * score for it (a hash of slot and member name). Members are the stable names of a group's
 * replica slots, e.g. `cart-0`, `cart-1`: the set the deployer runs, not the set alive now.
 * Rendezvous hashing gives the properties routing needs:
 *
 * - Every process that knows the same members computes the same owners: nothing but the member
 *   list (and its version) has to travel.
 * - When an n-th member joins, a slot moves only if the newcomer outscores its owner: about 1/n
 *   of the slots, all of them to the newcomer. When a member leaves, only its slots move, each to
 *   its runner-up. (Go's Service Weaver reassigns equal ranges of sorted replicas, which moves
 *   most keys at every change.)
 * - A member that is down for a while (crashed, restarting) keeps its slots: its keys go to each
 *   slot's runner-up among the members that are up, and come back when it returns.
 */

/** A routing key: what a router returns for a call. */
export type RoutingKey = number | string | bigint | boolean | { readonly [field: string]: number | string | bigint | boolean };

/** Slots the 32-bit key hash space is cut into; a power of two. */
export const SLOTS = 4096;

/**
 * The canonical text of a key: equal keys (objects with the same fields in any order, 0 and -0)
 * give equal texts, and keys of different types never do.
 */
export function canonicalKey(key: RoutingKey): string {
  if (typeof key !== "object" || key === null) return scalar(key);
  const fields = Object.keys(key).sort();
  let out = "{";
  for (const f of fields) out += `${JSON.stringify(f)}:${scalar(key[f] as RoutingKey)},`;
  return `${out}}`;
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `s${value}`;
    case "number":
      return `n${Object.is(value, -0) ? 0 : value}`;
    case "bigint":
      return `b${value}`;
    case "boolean":
      return value ? "t" : "f";
    default:
      throw new TypeError(
        `a routing key is a number, string, bigint, boolean or a flat object of those, not ${value === null ? "null" : typeof value}`,
      );
  }
}

/** Hashes a key to 32 bits (murmur3's mixing over the UTF-16 units of its canonical text). */
export function hashKey(key: RoutingKey): number {
  return hashText(canonicalKey(key));
}

/** Hashes a text to 32 bits; the same in every process. */
export function hashText(text: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return mix(h ^ text.length);
}

/** murmur3's finalizer: every input bit affects every output bit. */
function mix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Which member owns each slot, for one member list. */
export class KeyAssignment {
  /** Bumped by the deployer whenever the member list changes. */
  readonly version: number;
  /** The members, in the order the deployer gave them. */
  readonly members: readonly string[];
  readonly #memberHashes: readonly number[];
  /** The owner of each slot, as an index into members. */
  readonly #owners: Uint16Array;

  constructor(members: readonly string[], version = 0) {
    if (new Set(members).size !== members.length) throw new TypeError(`routing members must be distinct: ${members.join(", ")}`);
    if (members.length > 0xffff) throw new TypeError("too many routing members");
    this.version = version;
    this.members = [...members];
    this.#memberHashes = members.map(hashText);
    this.#owners = new Uint16Array(SLOTS);
    for (let slot = 0; slot < SLOTS; slot++) this.#owners[slot] = this.#ranked(slot, () => true);
  }

  /** The slot of a key hash. */
  static slotOf(hash: number): number {
    return hash & (SLOTS - 1);
  }

  /** The member that owns a key hash, or undefined when there are no members. */
  owner(hash: number): string | undefined {
    return this.members.length === 0 ? undefined : this.members[this.#owners[KeyAssignment.slotOf(hash)] as number];
  }

  /**
   * The member a call with this key hash goes to: its owner when `up(owner)`, else the member
   * that scores highest for the slot among those up (the same for every caller that sees the same
   * members up); undefined when none is up.
   */
  pick(hash: number, up: (member: string) => boolean): string | undefined {
    const owner = this.owner(hash);
    if (owner === undefined || up(owner)) return owner;
    const i = this.#ranked(KeyAssignment.slotOf(hash), (m) => up(this.members[m] as string));
    return i < 0 ? undefined : this.members[i];
  }

  /** How many slots each member owns. */
  spread(): Map<string, number> {
    const counts = new Map<string, number>(this.members.map((m) => [m, 0]));
    for (const i of this.#owners) {
      const m = this.members[i] as string;
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    return counts;
  }

  /** The index of the member with the highest score for `slot` among those `allowed`; -1 if none. */
  #ranked(slot: number, allowed: (member: number) => boolean): number {
    let best = -1;
    let bestScore = -1;
    const salt = Math.imul(slot + 1, 0x9e3779b1);
    for (let m = 0; m < this.#memberHashes.length; m++) {
      if (!allowed(m)) continue;
      const score = mix(salt ^ (this.#memberHashes[m] as number));
      // Ties (vanishingly rare) go to the smaller name, so every process breaks them alike.
      if (score > bestScore || (score === bestScore && (this.members[m] as string) < (this.members[best] as string))) {
        best = m;
        bestScore = score;
      }
    }
    return best;
  }
}
