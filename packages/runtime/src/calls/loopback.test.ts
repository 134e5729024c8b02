// The rpc runner's loopback runs each retriable call twice and keeps count, so that a failing test
// can be told which methods ran twice and which answered otherwise the second time.
import { afterAll, describe, expect, it } from "vitest";
import { registerApp } from "../generated/registry.js";
import { CODEGEN_VERSION } from "../version.js";
import { SocketLoopback } from "./loopback.js";

interface Counter {
  next(): Promise<number>;
  peek(): Promise<number>;
  reset(): Promise<void>;
}

class CounterImpl implements Counter {
  n = 0;
  async next(): Promise<number> {
    return ++this.n;
  }
  async peek(): Promise<number> {
    return this.n;
  }
  async reset(): Promise<void> {
    this.n = 0;
  }
}

const NAME = "loopback-test/Counter";
registerApp({
  codegenVersion: CODEGEN_VERSION,
  manifest: JSON.stringify({
    app: "loopback-test",
    codegenVersion: CODEGEN_VERSION,
    versionHash: "loopback-test-1",
    components: [
      {
        name: NAME,
        short: "loopback-test.Counter",
        impl: "CounterImpl",
        source: "src/counter.ts",
        methods: [
          { name: "next", retriable: true },
          { name: "peek", retriable: true },
          { name: "reset", retriable: false },
        ],
        refs: [],
        listeners: [],
        config: null,
      },
    ],
    callGraph: [],
  }),
  components: [
    {
      name: NAME,
      impl: CounterImpl,
      structures: [],
      localStub: (impl: Counter) => impl,
      clientStub: (calls) => ({
        next: () => calls.call(0, []) as Promise<number>,
        peek: () => calls.call(1, []) as Promise<number>,
        reset: () => calls.call(2, []) as Promise<void>,
      }),
      serverStub: (impl: Counter) => [() => impl.next(), () => impl.peek(), () => impl.reset()],
      // As generated for methods without parameters and with a number or void result.
      checks: [
        { args: (a) => a.length === 0, result: (v) => typeof v === "number" },
        { args: (a) => a.length === 0, result: (v) => typeof v === "number" },
        { args: (a) => a.length === 0, result: () => true },
      ],
    },
  ],
});

const counter = new CounterImpl();
const loopback = new SocketLoopback(() => Promise.resolve({ impl: counter }));
afterAll(() => loopback.close());

describe("SocketLoopback", () => {
  it("runs retriable calls twice, answers with the second run, and counts the calls whose runs answered differently", async () => {
    const calls = loopback.calls(NAME, "");
    expect(await calls.call(0, [])).toBe(2); // next() ran twice: 1, then 2
    expect(await calls.call(1, [])).toBe(2); // peek() twice, the same answer
    await calls.call(2, []); // reset() is not retriable: once
    expect(await calls.call(0, [])).toBe(2);
    expect(counter.n).toBe(2);
    expect(loopback.repeated()).toEqual([
      { method: "Counter.next", calls: 2, differed: 2 },
      { method: "Counter.peek", calls: 1, differed: 0 },
    ]);
  });
});
