import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { CancelledError, DeadlineExceededError, RemoteCallError } from "./call-errors.js";
import { Codec, decodeError, encodeError, fromEncodedError, registerError, toEncodedError } from "./codec.js";
import { WeaverError } from "../errors.js";

// The structures weaver generate would derive for a component's methods.
const STRUCTURES = [
  ["name", "age"],
  ["id", "items", "total"],
];

/** Encodes with one codec and decodes with another, built separately, as two processes would. */
function roundTrip(value: unknown): unknown {
  const sender = new Codec(STRUCTURES);
  const receiver = new Codec(STRUCTURES);
  return receiver.decode(sender.encode(value));
}

describe("Codec round trip between two separately built codecs", () => {
  it.each([
    ["a string", "héllo, 世界 🌍"],
    ["an empty string", ""],
    ["an integer", 42],
    ["a negative integer", -7],
    ["a float", Math.PI],
    ["a small float", 0.1],
    ["the largest safe integer", Number.MAX_SAFE_INTEGER],
    ["the smallest safe integer", Number.MIN_SAFE_INTEGER],
    ["a 32-bit boundary", 2 ** 32],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["true", true],
    ["false", false],
    ["null", null],
    ["undefined", undefined],
    ["a Date", new Date("2023-10-03T18:51:02.042Z")],
    ["an array", [1, "a", null, [2, [3]]]],
    ["a tuple", ["reverse", 3, true] as const],
    ["an empty object", {}],
    ["an object matching a shared structure", { name: "Ada", age: 36 }],
    ["an object matching another shared structure", { id: "o1", items: [{ name: "x", age: 1 }], total: 9.5 }],
    ["an object with a subset of a structure's keys", { name: "Ada" }],
    ["an object with the keys of a structure in another order", { age: 1, name: "Bo" }],
    ["an object matching no structure", { colour: "red", sizes: [1, 2] }],
    ["an object with an undefined field", { name: undefined, age: 3 }],
    ["nested objects", { a: { b: { c: { name: "deep", age: 0 } } }, list: [{ x: 1 }, { name: "n", age: 2 }] }],
    ["an object with keys that are Object.prototype names", JSON.parse('{"constructor": 1, "toString": "x"}') as unknown],
  ])("%s", (_, value) => {
    const back = roundTrip(value);
    expect(back).toStrictEqual(value);
  });

  it("bigints, small and huge, stay bigints", () => {
    for (const big of [0n, 5n, -7n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n, 2n ** 100n, -(2n ** 70n) - 1n]) {
      const back = roundTrip(big);
      expect(typeof back).toBe("bigint");
      expect(back).toBe(big);
    }
  });

  it("Uint8Array comes back as Uint8Array with the same bytes, also from a subarray view", () => {
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const back = roundTrip(bytes);
    expect(back).toBeInstanceOf(Uint8Array);
    expect([...(back as Uint8Array)]).toEqual([0, 1, 2, 254, 255]);
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    expect([...(roundTrip(view) as Uint8Array)]).toEqual([8, 7]);
  });

  it("Map keeps non-string keys and its order", () => {
    const key = { k: 1 };
    const map = new Map<unknown, unknown>([
      [1, "one"],
      ["1", "string one"],
      [key, "object"],
      [true, [1, 2]],
      [2n, new Map([["inner", new Set([1])]])],
    ]);
    const back = roundTrip(map) as Map<unknown, unknown>;
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual([1, "1", { k: 1 }, true, 2n]);
    expect(back).toStrictEqual(map);
  });

  it("Set keeps its members", () => {
    const set = new Set<unknown>([1, "a", null, { name: "x", age: 1 }]);
    const back = roundTrip(set);
    expect(back).toBeInstanceOf(Set);
    expect(back).toStrictEqual(set);
  });

  it("decodes in any order and by a receiver that saw none of the earlier messages", () => {
    const sender = new Codec(STRUCTURES);
    const messages = Array.from({ length: 150 }, (_, i) => {
      const value = { [`field${i % 75}`]: i, name: `n${i}`, nested: { [`k${i}`]: [i] } };
      return { value, bytes: sender.encode(value) };
    });
    // A long-lived receiver, in reverse order.
    const receiver = new Codec(STRUCTURES);
    for (const { value, bytes } of [...messages].reverse()) expect(receiver.decode(bytes)).toStrictEqual(value);
    // A fresh receiver for each message.
    for (const { value, bytes } of messages) expect(new Codec(STRUCTURES).decode(bytes)).toStrictEqual(value);
  });

  it("does not send the shared structures: a matching object encodes smaller than with a codec without them", () => {
    const value = { id: "o1", items: [], total: 1 };
    const shared = new Codec(STRUCTURES).encode(value);
    const unshared = new Codec().encode(value);
    expect(shared.length).toBeLessThan(unshared.length);
    expect(Buffer.from(shared).includes(Buffer.from("items"))).toBe(false);
    expect(new Codec().decode(unshared)).toStrictEqual(value);
  });

  it("a codec without structures still decodes objects sent by one", () => {
    const value = { colour: "red" };
    expect(new Codec().decode(new Codec(STRUCTURES).encode(value))).toStrictEqual(value);
  });
});

describe("a peer's record definitions hold for its own message only", () => {
  // A record definition (msgpack extension "r") under id 0x40, the id of the first shared
  // structure, giving it other keys: what a hostile peer sends to rename later messages' fields.
  const redefine = (keys: string[], values: number[]): Buffer => {
    const def = new Packr({ useRecords: true, structures: [], maxSharedStructures: 0 }).pack(
      Object.fromEntries(keys.map((k, i) => [k, values[i]])),
    );
    expect(def.subarray(0, 3)).toEqual(Buffer.from([0xd4, 0x72, 0x40]));
    return def;
  };

  it("a message that redefines a shared structure decodes as sent, and later messages decode as before", () => {
    const sender = new Codec(STRUCTURES);
    const receiver = new Codec(STRUCTURES);
    const legit = sender.encode({ name: "Ada", age: 36 });
    expect(legit[0]).toBe(0x40); // the shared structure, by id
    expect(receiver.decode(redefine(["evil", "keys"], [1, 2]))).toEqual({ evil: 1, keys: 2 });
    expect(receiver.decode(legit)).toEqual({ name: "Ada", age: 36 });
    // A redefinition in a message that then fails to decode is undone too.
    expect(() => receiver.decode(redefine(["evil", "keys"], [1, 2]).subarray(0, 12))).toThrow(/WEAVER_ERR_DECODE|cannot decode/);
    expect(receiver.decode(legit)).toEqual({ name: "Ada", age: 36 });
  });

  it("decoding a hostile message does not change what this side encodes", () => {
    const codec = new Codec(STRUCTURES);
    const before = Buffer.from(codec.encode({ name: "Bo", age: 1 }));
    codec.decode(redefine(["evil", "keys"], [1, 2]));
    expect(Buffer.from(codec.encode({ name: "Bo", age: 1 }))).toEqual(before);
    expect(new Codec(STRUCTURES).decode(codec.encode({ name: "Bo", age: 1 }))).toEqual({ name: "Bo", age: 1 });
  });
});

describe("Codec errors", () => {
  it("refuses to encode a symbol with WEAVER_ERR_ENCODE", () => {
    let caught: unknown;
    try {
      new Codec().encode({ s: Symbol("x") });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WeaverError);
    expect((caught as WeaverError).code).toBe("WEAVER_ERR_ENCODE");
    expect((caught as WeaverError).message).toMatch(/^cannot encode value: /);
  });

  it.each([
    ["empty input", []],
    ["a truncated array", [0x92, 0x01]],
    ["trailing bytes", [0x01, 0x02]],
    ["the never-used byte 0xc1", [0xc1]],
    ["text", [...Buffer.from("hello world")]],
    ["a truncated string", [0xa5, 0x61]],
  ])("throws WEAVER_ERR_DECODE on %s", (_, bytes) => {
    let caught: unknown;
    try {
      new Codec(STRUCTURES).decode(new Uint8Array(bytes));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WeaverError);
    expect((caught as WeaverError).code).toBe("WEAVER_ERR_DECODE");
    expect((caught as WeaverError).message).toMatch(/^cannot decode message: /);
  });

  it("decodeError refuses bytes that are not an encoded error", () => {
    for (const bytes of [new Codec().encode(42), new Uint8Array([0x92])]) {
      let caught: unknown;
      try {
        decodeError(bytes);
      } catch (e) {
        caught = e;
      }
      expect((caught as WeaverError).code).toBe("WEAVER_ERR_DECODE");
    }
  });
});

// Application error classes, registered as an app would register them.
class InsufficientFunds extends Error {
  constructor(
    readonly account: string,
    readonly missing: number,
  ) {
    super(`account ${account} lacks ${missing}`);
    this.name = "InsufficientFunds";
  }
}
class OutOfStock extends Error {
  readonly sku: string;
  constructor(sku: string, options?: { cause?: unknown }) {
    super(`${sku} is out of stock`, options);
    this.sku = sku;
  }
}
class Throttled extends Error {
  override get name(): string {
    return "Throttled";
  }
  retryAfterMs = 250;
}
class TooManyItems extends OutOfStock {}
registerError(InsufficientFunds, OutOfStock, Throttled);

/** Sends an error across, as a server would to its caller. */
const across = (e: unknown): Error => decodeError(encodeError(e));

describe("errors across processes", () => {
  it("a registered class that sets its name comes back as its class with name, message and fields", () => {
    const back = across(new InsufficientFunds("acc-1", 30));
    expect(back).toBeInstanceOf(InsufficientFunds);
    expect(back.name).toBe("InsufficientFunds");
    expect(back.message).toBe("account acc-1 lacks 30");
    expect({ ...back }).toEqual({ account: "acc-1", missing: 30 });
    expect(String(back)).toBe("InsufficientFunds: account acc-1 lacks 30");
  });

  it("a registered class that leaves its name alone comes back as its class", () => {
    const back = across(new OutOfStock("sku-9"));
    expect(back).toBeInstanceOf(OutOfStock);
    expect(back.name).toBe("Error");
    expect((back as OutOfStock).sku).toBe("sku-9");
  });

  it("a registered class with a name getter comes back as its class", () => {
    const back = across(new Throttled("slow down"));
    expect(back).toBeInstanceOf(Throttled);
    expect(back.name).toBe("Throttled");
    expect((back as Throttled).retryAfterMs).toBe(250);
  });

  it("an unregistered subclass comes back as its nearest registered class, with its name", () => {
    const e = new TooManyItems("sku-2");
    e.name = "TooManyItems";
    const back = across(e);
    expect(back).toBeInstanceOf(OutOfStock);
    expect(back.name).toBe("TooManyItems");
  });

  it("keeps the cause chain, each cause with its class", () => {
    const root = new InsufficientFunds("acc-2", 1);
    const back = across(new OutOfStock("sku-3", { cause: root }));
    expect(back).toBeInstanceOf(OutOfStock);
    expect(back.cause).toBeInstanceOf(InsufficientFunds);
    expect((back.cause as InsufficientFunds).name).toBe("InsufficientFunds");
    expect((back.cause as InsufficientFunds).missing).toBe(1);
    expect(Object.keys(back)).toEqual(["sku"]);
  });

  it("keeps the remote stack", () => {
    const e = new OutOfStock("sku-4");
    expect(across(e).stack).toBe(e.stack);
  });

  it("an unregistered class comes back as an Error with the remote name, message and fields", () => {
    class Unregistered extends Error {
      constructor(readonly detail: { n: number }) {
        super("it broke");
        this.name = "Unregistered";
      }
    }
    const back = across(new Unregistered({ n: 3 }));
    expect(back.constructor).toBe(Error);
    expect(back.name).toBe("Unregistered");
    expect(back.message).toBe("it broke");
    expect((back as unknown as { detail: unknown }).detail).toEqual({ n: 3 });
  });

  it("a plain Error stays a plain Error", () => {
    const back = across(new TypeError("bad"));
    expect(back.constructor).toBe(Error);
    expect(back.name).toBe("TypeError");
    expect(back.message).toBe("bad");
  });

  it("drops fields that cannot cross, keeping the rest", () => {
    const e = Object.assign(new Error("x"), { ok: 1, fn: () => 1, sym: Symbol("s") });
    expect({ ...across(e) }).toEqual({ ok: 1 });
  });

  it("a thrown non-Error becomes an Error with its text", () => {
    const back = across("plain string");
    expect(back).toBeInstanceOf(Error);
    expect(back.message).toBe("plain string");
  });

  it("deadline and cancellation errors keep their class and code", () => {
    const deadline = across(new DeadlineExceededError());
    expect(deadline).toBeInstanceOf(DeadlineExceededError);
    expect((deadline as WeaverError).code).toBe("WEAVER_ERR_DEADLINE_EXCEEDED");
    const cancelled = across(new CancelledError());
    expect(cancelled).toBeInstanceOf(CancelledError);
    expect((cancelled as WeaverError).code).toBe("WEAVER_ERR_CANCELLED");
  });

  it("framework errors of unregistered classes keep their name and code", () => {
    const back = across(new RemoteCallError("a/B", "m", "connection reset", { replica: "r1" }));
    expect(back.name).toBe("RemoteCallError");
    expect(back.message).toBe("call to a/B.m on replica r1 failed: connection reset");
    expect(back).toMatchObject({ code: "WEAVER_ERR_REMOTE_CALL", component: "a/B", method: "m", replica: "r1" });
  });

  it("toEncodedError and fromEncodedError are inverse for plain data", () => {
    const encoded = toEncodedError(new InsufficientFunds("a", 2));
    expect(encoded).toMatchObject({ name: "InsufficientFunds", message: "account a lacks 2", fields: { account: "a", missing: 2 } });
    expect(fromEncodedError(encoded)).toBeInstanceOf(InsufficientFunds);
  });
});

describe("registerError", () => {
  it("accepts the same class twice", () => {
    expect(() => registerError(InsufficientFunds, InsufficientFunds)).not.toThrow();
  });

  it("refuses two different classes with one name", () => {
    const First = class Duplicate extends Error {};
    const Second = class Duplicate extends Error {};
    registerError(First);
    expect(() => registerError(Second)).toThrow(
      "registerError: two different error classes are named Duplicate; rename one so the caller can tell them apart",
    );
    // The first registration stands.
    expect(across(new First("x"))).toBeInstanceOf(First);
  });
});
