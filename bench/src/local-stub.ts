/**
 * The cost of the local stub: a component call through the generated local stub (counted,
 * timed, deadline-aware) against a direct call to the implementation. Target: at most 1.5x.
 */
import { local } from "@weaver/core/testing";
import "bank/dist/weaver_gen.js";
import { AuditImpl } from "bank/dist/audit.js";
import "reverser/dist/weaver_gen.js";
import { ReverserImpl } from "reverser/dist/reverser.js";
import { measure, type Result } from "./harness.js";

/** Runs the local stub cases, in `rounds` rounds each. */
export async function localStubCases(rounds = 15): Promise<Result[]> {
  const app = await local.start();
  try {
    const reverser = await app.get(ReverserImpl);
    const reverserImpl = await app.instance(ReverserImpl);
    const audit = await app.get(AuditImpl);
    const auditImpl = await app.instance(AuditImpl);
    const target = { ratio: 1.5, kind: "max" } as const;
    return [
      await measure({
        name: "local stub: Reverser.reverse(7 chars)",
        baseline: "direct call",
        target,
        rounds,
        candidate: async (n) => {
          for (let i = 0; i < n; i++) await reverser.reverse("abcdefg");
        },
        reference: async (n) => {
          for (let i = 0; i < n; i++) await reverserImpl.reverse("abcdefg");
        },
      }),
      await measure({
        name: "local stub: Audit.count (trivial body)",
        baseline: "direct call",
        target,
        rounds,
        candidate: async (n) => {
          for (let i = 0; i < n; i++) await audit.count("x");
        },
        reference: async (n) => {
          for (let i = 0; i < n; i++) await auditImpl.count("x");
        },
      }),
    ];
  } finally {
    await app.close();
  }
}
