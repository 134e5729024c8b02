import { KeyAssignment } from "@weaver/rpc";
import { describe, expect, it } from "vitest";
import { routingStatus } from "./routing-status.js";

const assignment = { version: 2, members: ["cart/0", "cart/1", "cart/2"] };
const states = (down: string[]) => assignment.members.map((member, i) => ({ member, replica: `r${i}`, up: !down.includes(member) }));

describe("routingStatus", () => {
  it("gives each member its share of the key slots, all of which it serves while every member is up", () => {
    const s = routingStatus("shop/Cart", assignment, states([]));
    const spread = new KeyAssignment(assignment.members, 2).spread();
    expect(s).toMatchObject({ component: "shop/Cart", version: 2, slots: 4096 });
    expect(s.members.map((m) => [m.member, m.replica, m.up, m.owned, m.serving])).toEqual(
      assignment.members.map((m, i) => [m, `r${i}`, true, spread.get(m), spread.get(m)]),
    );
  });

  it("serves a down member's slots by the others, as every caller picks, and keeps its ownership", () => {
    const s = routingStatus("shop/Cart", assignment, states(["cart/1"]));
    const [a, b, c] = s.members as [(typeof s.members)[0], (typeof s.members)[0], (typeof s.members)[0]];
    expect(b).toMatchObject({ up: false, serving: 0 });
    expect(b.owned).toBeGreaterThan(1000);
    expect(a.serving + c.serving).toBe(4096);
    expect(a.serving).toBeGreaterThan(a.owned);
    expect(c.serving).toBeGreaterThan(c.owned);
    expect(routingStatus("shop/Cart", assignment, states(assignment.members)).members.every((m) => m.serving === 0)).toBe(true);
  });
});
