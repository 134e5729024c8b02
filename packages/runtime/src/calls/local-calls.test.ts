import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { CancelledError, DeadlineExceededError } from "./call-errors.js";
import { withDeadline, withSignal } from "./call-context.js";
import { LocalCalls } from "./local-calls.js";

const METHODS = [
  { name: "reverse", retriable: true },
  { name: "charge", retriable: false },
];

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

/** Blocks the event loop, so that timers cannot run. */
function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

describe("LocalCalls", () => {
  it("has one MethodStats per method, named after the component and method", () => {
    const calls = new LocalCalls("reverser/Reverser", METHODS);
    expect(calls.stats.map((s) => [s.component, s.method, s.calls, s.errors])).toEqual([
      ["reverser/Reverser", "reverse", 0, 0],
      ["reverser/Reverser", "charge", 0, 0],
    ]);
  });

  it("passes results and errors through and counts calls, errors and latency per method", async () => {
    const calls = new LocalCalls("reverser/Reverser", METHODS);
    expect(await calls.call(0, async () => "cba")).toBe("cba");
    expect(
      await calls.call(0, async () => {
        await sleep(30);
        return "slow";
      }),
    ).toBe("slow");
    const boom = new Error("boom");
    expect(await rejection(calls.call(0, () => Promise.reject(boom)))).toBe(boom);
    // A stub whose implementation throws synchronously.
    expect(
      await rejection(
        calls.call(1, () => {
          throw boom;
        }),
      ),
    ).toBe(boom);

    const [reverse, charge] = calls.stats;
    expect(reverse).toMatchObject({ calls: 3, errors: 1 });
    expect(charge).toMatchObject({ calls: 1, errors: 1 });
    expect(reverse?.latencyMsMax).toBeGreaterThanOrEqual(25);
    expect(reverse?.latencyMsTotal).toBeGreaterThanOrEqual(reverse?.latencyMsMax ?? Infinity);
    expect(reverse?.latencyMsTotal).toBeLessThan(5_000);
  });

  it("counts a call as started before it finishes", async () => {
    const calls = new LocalCalls("a/B", METHODS);
    let release: () => void = () => {};
    const p = calls.call(0, () => new Promise<void>((r) => (release = r)));
    expect(calls.stats[0]).toMatchObject({ calls: 1, errors: 0, latencyMsTotal: 0 });
    release();
    await p;
    expect(calls.stats[0]?.latencyMsTotal).toBeGreaterThan(0);
  });

  it("under an aborted context, rejects without calling the method", async () => {
    const calls = new LocalCalls("a/B", METHODS);
    let called = false;
    const controller = new AbortController();
    const e = await rejection(
      withSignal(controller.signal, async () => {
        controller.abort();
        return calls.call(0, async () => (called = true));
      }),
    );
    expect(e).toBeInstanceOf(CancelledError);
    expect(called).toBe(false);
    expect(calls.stats[0]).toMatchObject({ calls: 1, errors: 1 });
  });

  it("under a deadline that has passed, rejects without calling the method, even before the timer runs", async () => {
    const calls = new LocalCalls("a/B", METHODS);
    let called = false;
    let inner: Promise<unknown> | undefined;
    await rejection(
      withDeadline(5, () => {
        busyWait(20); // the deadline passes while the deadline timer cannot run
        inner = calls.call(0, async () => (called = true));
        return inner;
      }),
    );
    expect(await rejection(inner as Promise<unknown>)).toBeInstanceOf(DeadlineExceededError);
    expect(called).toBe(false);
    expect(calls.stats[0]).toMatchObject({ calls: 1, errors: 1 });
  });

  it("rejects with DeadlineExceededError when the deadline passes during the call", async () => {
    const calls = new LocalCalls("a/B", METHODS);
    const start = Date.now();
    let inner: Promise<unknown> | undefined;
    await rejection(
      withDeadline(30, () => {
        inner = calls.call(0, () => new Promise(() => {}));
        return inner;
      }),
    );
    expect(await rejection(inner as Promise<unknown>)).toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - start).toBeLessThan(5_000);
    expect(calls.stats[0]).toMatchObject({ calls: 1, errors: 1 });
  });

  it("outside any call context, simply calls the method", async () => {
    const calls = new LocalCalls("a/B", METHODS);
    expect(await calls.call(1, async () => 7)).toBe(7);
    expect(calls.stats[1]).toMatchObject({ calls: 1, errors: 0 });
  });
});
