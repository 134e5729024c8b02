import { getEventListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { CancelledError, DeadlineExceededError } from "./call-errors.js";
import {
  activeContext,
  context,
  enterContext,
  raceSignal,
  runWithContext,
  withDeadline,
  withMetadata,
  withSignal,
  type CallContext,
} from "./call-context.js";

/** A promise that never settles, like a call whose callee hangs. */
const never = (): Promise<never> => new Promise<never>(() => {});

/** The reason `p` rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

/** The number of pending timers of this process. */
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("context() outside any call", () => {
  it("is empty and never aborts", () => {
    const ctx = context();
    expect(ctx.deadline).toBeUndefined();
    expect(ctx.metadata).toEqual({});
    expect(ctx.traceparent).toBeUndefined();
    expect(ctx.signal.aborted).toBe(false);
    expect(activeContext()).toBeUndefined();
  });
});

describe("withDeadline", () => {
  it("settles with fn's result, and the deadline is visible inside fn", async () => {
    const before = Date.now();
    const seen = await withDeadline(1_000, async () => {
      await sleep(1);
      return context().deadline;
    });
    expect(seen).toBeGreaterThanOrEqual(before + 1_000);
    expect(seen).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(activeContext()).toBeUndefined();
  });

  it("rejects with DeadlineExceededError when fn outlives the deadline, and aborts context().signal", async () => {
    let signal: AbortSignal | undefined;
    const start = Date.now();
    const e = await rejection(
      withDeadline(30, () => {
        signal = context().signal;
        return never();
      }),
    );
    expect(e).toBeInstanceOf(DeadlineExceededError);
    expect((e as DeadlineExceededError).code).toBe("WEAVER_ERR_DEADLINE_EXCEEDED");
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(DeadlineExceededError);
  });

  it("work that honours the signal stops when the deadline passes", async () => {
    let steps = 0;
    await rejection(
      withDeadline(40, async () => {
        while (!context().signal.aborted) {
          steps++;
          await sleep(5);
        }
      }),
    );
    const stopped = steps;
    await sleep(30);
    expect(steps).toBe(stopped);
  });

  it("a deadline of zero or less rejects without calling fn", async () => {
    let called = false;
    for (const ms of [0, -5]) {
      const e = await rejection(withDeadline(ms, () => (called = true)));
      expect(e).toBeInstanceOf(DeadlineExceededError);
    }
    expect(called).toBe(false);
  });

  it("a nested deadline never extends the parent's", async () => {
    const start = Date.now();
    let outer: number | undefined;
    let inner: number | undefined;
    const e = await rejection(
      withDeadline(40, () => {
        outer = context().deadline;
        return withDeadline(10_000, () => {
          inner = context().deadline;
          return never();
        });
      }),
    );
    expect(e).toBeInstanceOf(DeadlineExceededError);
    expect(inner).toBe(outer);
    expect(Date.now() - start).toBeLessThan(5_000);
  });

  it("a nested, shorter deadline wins and leaves the parent running", async () => {
    const result = await withDeadline(5_000, async () => {
      const outer = context().deadline as number;
      const e = await rejection(
        withDeadline(20, () => {
          expect(context().deadline).toBeLessThan(outer);
          return never();
        }),
      );
      expect(e).toBeInstanceOf(DeadlineExceededError);
      expect(context().signal.aborted).toBe(false);
      expect(context().deadline).toBe(outer);
      return "parent finished";
    });
    expect(result).toBe("parent finished");
  });

  it("the context follows the call through timers and awaits", async () => {
    const deadline = await withDeadline(1_000, async () => {
      await sleep(2);
      return new Promise<number | undefined>((resolve) => setTimeout(() => resolve(context().deadline), 2));
    });
    expect(deadline).toBeDefined();
  });

  it("clears its timer when fn settles, so nothing keeps the process alive", async () => {
    const before = timers();
    await withDeadline(60_000, async () => "done");
    await rejection(withDeadline(60_000, async () => Promise.reject(new Error("failed"))));
    const inner = withDeadline(60_000, () => withDeadline(60_000, async () => 1));
    expect(timers()).toBeGreaterThan(before);
    await inner;
    expect(timers()).toBe(before);
  });

  it("propagates fn's own error", async () => {
    const err = new RangeError("bad");
    expect(await rejection(withDeadline(1_000, () => Promise.reject(err)))).toBe(err);
    expect(
      await rejection(
        withDeadline(1_000, () => {
          throw err;
        }),
      ),
    ).toBe(err);
  });
});

describe("withMetadata", () => {
  it("merges over the parent's metadata, only for the inner call", async () => {
    const seen = await withMetadata({ tenant: "a", user: "u1" }, async () => {
      const inner = await withMetadata({ user: "u2", req: "r" }, async () => context().metadata);
      return { inner, outer: context().metadata };
    });
    expect(seen.inner).toEqual({ tenant: "a", user: "u2", req: "r" });
    expect(seen.outer).toEqual({ tenant: "a", user: "u1" });
    expect(context().metadata).toEqual({});
  });

  it("keeps the parent's deadline", async () => {
    await withDeadline(1_000, async () => {
      const outer = context().deadline;
      expect(await withMetadata({ a: "1" }, () => context().deadline)).toBe(outer);
    });
  });
});

describe("withSignal", () => {
  it("rejects with CancelledError when the signal aborts without a reason", async () => {
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const p = withSignal(controller.signal, () => {
      inner = context().signal;
      return never();
    });
    await sleep(1);
    controller.abort();
    const e = await rejection(p);
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as CancelledError).code).toBe("WEAVER_ERR_CANCELLED");
    expect(inner?.aborted).toBe(true);
  });

  it("rejects with the signal's own Error reason", async () => {
    const controller = new AbortController();
    const reason = new Error("client went away");
    const p = withSignal(controller.signal, never);
    controller.abort(reason);
    expect(await rejection(p)).toBe(reason);
  });

  it("rejects with CancelledError for a reason that is not an Error", async () => {
    const controller = new AbortController();
    const p = withSignal(controller.signal, never);
    controller.abort("bye");
    expect(await rejection(p)).toBeInstanceOf(CancelledError);
  });

  it("treats AbortSignal.timeout() as a deadline", async () => {
    expect(await rejection(withSignal(AbortSignal.timeout(10), never))).toBeInstanceOf(DeadlineExceededError);
  });

  it("with a signal aborted already, rejects without calling fn", async () => {
    let called = false;
    const e = await rejection(withSignal(AbortSignal.abort(), () => (called = true)));
    expect(e).toBeInstanceOf(CancelledError);
    expect(called).toBe(false);
  });

  it("a parent's cancellation reaches nested calls", async () => {
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const p = withSignal(controller.signal, () =>
      withDeadline(10_000, () => {
        inner = context().signal;
        return never();
      }),
    );
    await sleep(1);
    controller.abort();
    expect(await rejection(p)).toBeInstanceOf(CancelledError);
    expect(inner?.reason).toBeInstanceOf(CancelledError);
  });

  it("removes its listener from the caller's signal when the call ends", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await withSignal(controller.signal, async () => i);
    await rejection(withSignal(controller.signal, () => Promise.reject(new Error("x"))));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("runWithContext and enterContext", () => {
  it("replaces the trace context", async () => {
    const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect(await runWithContext({ traceparent: tp }, () => context().traceparent)).toBe(tp);
    expect(await runWithContext({ traceparent: tp }, () => runWithContext({}, () => context().traceparent))).toBe(tp);
  });

  it("enterContext runs fn in exactly the given context", () => {
    const ctx: CallContext = { deadline: 123, signal: new AbortController().signal, metadata: { a: "b" }, traceparent: undefined };
    expect(enterContext(ctx, () => context())).toBe(ctx);
    expect(activeContext()).toBeUndefined();
  });
});

describe("raceSignal", () => {
  it("settles like the promise while the signal is quiet", async () => {
    expect(await raceSignal(Promise.resolve(5), new AbortController().signal)).toBe(5);
  });

  it("rejects with the signal's reason when it aborts first", async () => {
    const controller = new AbortController();
    const reason = new DeadlineExceededError();
    const p = raceSignal(never(), controller.signal);
    controller.abort(reason);
    expect(await rejection(p)).toBe(reason);
  });

  it("rejects at once with a signal aborted already, without an unhandled rejection from the promise", async () => {
    const reason = new CancelledError();
    const p = raceSignal(Promise.reject(new Error("ignored")), AbortSignal.abort(reason));
    expect(await rejection(p)).toBe(reason);
  });
});
