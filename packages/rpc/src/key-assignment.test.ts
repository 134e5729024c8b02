import { describe, expect, it } from "vitest";
import { KeyAssignment, SLOTS, canonicalKey, hashKey, type RoutingKey } from "./key-assignment.js";

const KEYS: RoutingKey[] = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
const cart = (n: number): string[] => Array.from({ length: n }, (_, i) => `cart-${i}`);

/** The fraction of keys whose owner differs between two assignments. */
function moved(a: KeyAssignment, b: KeyAssignment): { fraction: number; to: Set<string | undefined>; from: Set<string | undefined> } {
  let n = 0;
  const to = new Set<string | undefined>();
  const from = new Set<string | undefined>();
  for (const key of KEYS) {
    const h = hashKey(key);
    if (a.owner(h) !== b.owner(h)) {
      n++;
      from.add(a.owner(h));
      to.add(b.owner(h));
    }
  }
  return { fraction: n / KEYS.length, to, from };
}

describe("canonical keys", () => {
  it("equal keys give equal texts, whatever the field order; different types never do", () => {
    expect(canonicalKey({ b: 2, a: "x" })).toBe(canonicalKey({ a: "x", b: 2 }));
    expect(canonicalKey(0)).toBe(canonicalKey(-0));
    const distinct: RoutingKey[] = [1, "1", 1n, true, "t", { a: 1 }, { a: "1" }, { a: 1n }, "", 0];
    expect(new Set(distinct.map(canonicalKey)).size).toBe(distinct.length);
  });

  it("refuses values that are not keys", () => {
    expect(() => canonicalKey({ a: null } as unknown as RoutingKey)).toThrow(
      /routing key is a number, string, bigint, boolean or a flat object of those, not null/,
    );
    expect(() => canonicalKey({ a: { b: 1 } } as unknown as RoutingKey)).toThrow(/not object/);
  });

  it("hashes spread keys evenly over the slots", () => {
    const counts = new Array<number>(16).fill(0);
    for (const key of KEYS) counts[hashKey(key) % 16] = (counts[hashKey(key) % 16] ?? 0) + 1;
    for (const c of counts) expect(Math.abs(c - KEYS.length / 16)).toBeLessThan(KEYS.length / 16 / 4);
  });
});

describe("key assignment", () => {
  it("gives every member about an equal share of the slots", () => {
    const spread = new KeyAssignment(cart(3)).spread();
    for (const slots of spread.values()) expect(Math.abs(slots - SLOTS / 3)).toBeLessThan(SLOTS / 3 / 8);
  });

  it("is the same in every process that knows the same members, in any order", () => {
    const a = new KeyAssignment(cart(3));
    const b = new KeyAssignment([...cart(3)].reverse());
    for (const key of KEYS.slice(0, 1000)) expect(a.owner(hashKey(key))).toBe(b.owner(hashKey(key)));
  });

  it("a 4th member joining 3 takes about a quarter of the keys, all from the others to itself", () => {
    const { fraction, to } = moved(new KeyAssignment(cart(3)), new KeyAssignment(cart(4)));
    console.log(`10,000 keys, 3 -> 4 replicas: ${(fraction * 100).toFixed(1)}% moved (ideal 25%)`);
    expect(fraction).toBeLessThanOrEqual(0.3);
    expect(fraction).toBeGreaterThan(0.2);
    expect([...to]).toEqual(["cart-3"]);
  });

  it("a member leaving moves only the keys it held", () => {
    const before = new KeyAssignment(cart(4));
    const after = new KeyAssignment(["cart-0", "cart-1", "cart-3"]);
    const { fraction, from } = moved(before, after);
    const held = KEYS.filter((k) => before.owner(hashKey(k)) === "cart-2").length / KEYS.length;
    console.log(`10,000 keys, 4 -> 3 replicas: ${(fraction * 100).toFixed(1)}% moved, the ${(held * 100).toFixed(1)}% cart-2 held`);
    expect([...from]).toEqual(["cart-2"]);
    expect(fraction).toBe(held);
  });

  it("a member that is down has its keys served by each slot's runner-up, and gets them back when it is up", () => {
    const assignment = new KeyAssignment(cart(3));
    const down = new Set(["cart-1"]);
    const up = (m: string): boolean => !down.has(m);
    const whileDown = new Map<RoutingKey, string | undefined>();
    for (const key of KEYS) {
      const h = hashKey(key);
      const picked = assignment.pick(h, up);
      whileDown.set(key, picked);
      if (assignment.owner(h) === "cart-1") expect(picked).not.toBe("cart-1");
      else expect(picked).toBe(assignment.owner(h)); // keys of members that are up stay put
    }
    // The runner-ups are spread over the members that are up, not piled on one.
    const helpers = new Set(KEYS.filter((k) => assignment.owner(hashKey(k)) === "cart-1").map((k) => whileDown.get(k)));
    expect(helpers).toEqual(new Set(["cart-0", "cart-2"]));
    down.clear();
    for (const key of KEYS.slice(0, 1000)) expect(assignment.pick(hashKey(key), up)).toBe(assignment.owner(hashKey(key)));
    expect(assignment.pick(hashKey("x"), () => false)).toBeUndefined();
  });

  it("has no owner without members, and refuses a member named twice", () => {
    expect(new KeyAssignment([]).owner(hashKey("x"))).toBeUndefined();
    expect(() => new KeyAssignment(["a", "a"])).toThrow(/distinct/);
  });
});
