/**
 * The generated codecs: msgpackr with the record structures `weaver generate` derived, against
 * JSON.stringify/JSON.parse on the same payloads (encode + decode, as one call's arguments
 * travel). JSON is the baseline; a ratio below 1 means msgpackr is faster.
 */
import { Codec, getComponent } from "@weaver/runtime/core";
import "bank/dist/weaver_gen.js";
import { measure, type Result } from "./harness.js";

/** Runs the codec cases. */
export async function codecCases(): Promise<Result[]> {
  const { registration } = getComponent("bank/Teller");
  const sender = new Codec(registration.structures);
  const receiver = new Codec(registration.structures);
  const receipt = { from: "alice", to: "bob", amount: 30, fee: 1, bank: "Weaver Savings" };
  const receipts = Array.from({ length: 110 }, (_, i) => ({ ...receipt, amount: i }));
  const results: Result[] = [];
  for (const [label, payload] of [
    ["small (1 receipt)", [receipt]],
    ["10 KB (110 receipts)", [receipts]],
  ] as const) {
    const bytes = sender.encode(payload).length;
    const json = Buffer.byteLength(JSON.stringify(payload));
    results.push(
      await measure({
        name: `codec ${label}: msgpackr ${bytes} B`,
        baseline: `JSON ${json} B`,
        candidate: (n) => {
          for (let i = 0; i < n; i++) receiver.decode(sender.encode(payload));
        },
        reference: (n) => {
          for (let i = 0; i < n; i++) JSON.parse(Buffer.from(JSON.stringify(payload)).toString());
        },
        ops: label.startsWith("small") ? 20_000 : 2_000,
      }),
    );
  }
  return results;
}
