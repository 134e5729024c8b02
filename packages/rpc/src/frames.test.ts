import { describe, expect, it } from "vitest";
import {
  FrameReader,
  ProtocolError,
  decodeHello,
  decodeRequest,
  encodeHello,
  encodeRequestHead,
  peerMaxFrameBytes,
  setRequestTimeout,
} from "./frames.js";
import { frame } from "./harness.test.util.js";
import { ByteRange, FrameType, MAX_FRAME_BYTES, REQUEST_HEADER_BYTES, type Frame } from "./protocol.js";

/** Frames of assorted sizes, and their bytes back to back. */
function sample(): { frames: { type: number; id: number; body: Buffer }[]; bytes: Buffer } {
  const frames = [0, 1, 7, 300, 5000].map((n, i) => ({ type: (i % 9) + 1, id: 1000 + i, body: Buffer.alloc(n, i + 1) }));
  return { frames, bytes: Buffer.concat(frames.map((f) => frame(f.type, f.id, f.body))) };
}

/** Whether `view` lies within the memory of `chunk`. */
function within(view: Buffer | undefined, chunk: Buffer): boolean {
  return (
    view !== undefined &&
    view.buffer === chunk.buffer &&
    view.byteOffset >= chunk.byteOffset &&
    view.byteOffset + view.length <= chunk.byteOffset + chunk.length
  );
}

function plain(frames: readonly ({ type: number; id: number; body: Buffer } | Frame)[]): unknown[] {
  return frames.map((f) => ({ type: f.type, id: f.id, body: ("body" in f ? f.body : f.bytes).toString("hex") }));
}

/** A whole buffer as a request body. */
const whole = (b: Buffer): ByteRange => new ByteRange(b, 0, b.length);

describe("FrameReader", () => {
  it("cuts frames split at every byte boundary", () => {
    const { frames, bytes } = sample();
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new FrameReader(MAX_FRAME_BYTES);
      const got = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(plain(got), `cut at ${cut}`).toEqual(plain(frames));
    }
  });

  it("cuts frames fed one byte at a time, and ignores empty chunks", () => {
    const { frames, bytes } = sample();
    const reader = new FrameReader(MAX_FRAME_BYTES);
    const got = [];
    for (let i = 0; i < bytes.length; i++) {
      got.push(...reader.push(Buffer.alloc(0)));
      got.push(...reader.push(bytes.subarray(i, i + 1)));
    }
    expect(plain(got)).toEqual(plain(frames));
  });

  it("reads a large frame trickled in one-byte chunks in linear time", () => {
    const body = Buffer.alloc(300_000, 3);
    const bytes = frame(FrameType.REQUEST, 5, body);
    const reader = new FrameReader(MAX_FRAME_BYTES);
    const started = performance.now();
    const got = [];
    for (let i = 0; i < bytes.length; i++) got.push(...reader.push(bytes.subarray(i, i + 1)));
    // Quadratic work (rescanning the buffered chunks per byte) takes minutes here.
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(got).toHaveLength(1);
    expect(got[0]?.bytes.equals(body)).toBe(true);
  });

  it("returns many frames from one chunk, as ranges of it (no copy)", () => {
    const bodies = Array.from({ length: 1000 }, (_, i) => Buffer.from(`body ${i}`));
    const chunk = Buffer.concat(bodies.map((b, i) => frame(FrameType.RESPONSE, i, b)));
    const got = new FrameReader(MAX_FRAME_BYTES).push(chunk);
    expect(got).toHaveLength(1000);
    expect(got.map((f) => f.bytes.toString())).toEqual(bodies.map((b) => b.toString()));
    for (const f of got) expect(f.source).toBe(chunk);
  });

  it("keeps frames that lie within a later chunk zero-copy after one that spanned chunks", () => {
    const a = frame(FrameType.REQUEST, 1, Buffer.alloc(100, 1));
    const b = frame(FrameType.REQUEST, 2, Buffer.alloc(100, 2));
    const reader = new FrameReader(MAX_FRAME_BYTES);
    expect(reader.push(a.subarray(0, 50))).toEqual([]);
    const second = Buffer.concat([a.subarray(50), b]);
    const [fa, fb] = reader.push(second);
    expect(within(fa?.source, second)).toBe(false); // spanned two chunks: copied once
    expect(fa?.bytes).toEqual(Buffer.alloc(100, 1));
    expect(fb?.source).toBe(second);
    expect(fb?.bytes).toEqual(Buffer.alloc(100, 2));
  });

  it("rejects a length over the limit as soon as the length is read", () => {
    const reader = new FrameReader(1000);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1001);
    expect(() => reader.push(header)).toThrow(ProtocolError);
    expect(() => new FrameReader(1000).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(/outside 5\.\.1000/);
    // The limit itself is fine.
    const ok = Buffer.alloc(4);
    ok.writeUInt32BE(1000);
    expect(new FrameReader(1000).push(ok)).toEqual([]);
  });

  it("rejects a length too short to hold a type and an id", () => {
    for (const length of [0, 1, 4]) {
      const bytes = Buffer.alloc(9);
      bytes.writeUInt32BE(length);
      expect(() => new FrameReader(MAX_FRAME_BYTES).push(bytes), `length ${length}`).toThrow(ProtocolError);
    }
    const five = Buffer.alloc(9);
    five.writeUInt32BE(5);
    expect(new FrameReader(MAX_FRAME_BYTES).push(five)).toHaveLength(1);
  });
});

describe("request heads", () => {
  it("round-trip method, timeout, traceparent, metadata and payload", () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const head = encodeRequestHead({ method: 0x12345678, timeoutMs: 1500.2, traceparent, metadata: { user: "ann", "x-ü": "välue" } });
    const request = decodeRequest(whole(Buffer.concat([head, Buffer.from("payload")])));
    expect(request).toMatchObject({ method: 0x12345678, timeoutMs: 1501, traceparent, metadata: { user: "ann", "x-ü": "välue" } });
    expect(request.payload.bytes.toString()).toBe("payload");
  });

  it("are 9 bytes without traceparent or metadata (empty metadata is left out)", () => {
    const head = encodeRequestHead({ method: 7, timeoutMs: 0, traceparent: undefined, metadata: {} });
    expect(head).toHaveLength(REQUEST_HEADER_BYTES);
    expect(decodeRequest(whole(head))).toMatchObject({ method: 7, timeoutMs: 0, traceparent: undefined, metadata: undefined });
  });

  it("clamp timeouts into u32 and never round a positive time left down to 'no deadline'", () => {
    const head = encodeRequestHead({ method: 1, timeoutMs: 0, traceparent: undefined, metadata: undefined });
    for (const [ms, wire] of [
      [0.01, 1],
      [-5, 0],
      [Number.NaN, 0],
      [2 ** 40, 0xffffffff],
      [Infinity, 0xffffffff],
    ] as const) {
      setRequestTimeout(head, ms);
      expect(decodeRequest(whole(head)).timeoutMs, `${ms}`).toBe(wire);
    }
  });

  it("refuse options the server would take as a protocol violation, before sending", () => {
    const base = { method: 1, timeoutMs: 0 };
    expect(() => encodeRequestHead({ ...base, traceparent: "x".repeat(256), metadata: undefined })).toThrow(TypeError);
    expect(() => encodeRequestHead({ ...base, traceparent: "tracé", metadata: undefined })).toThrow(TypeError);
    expect(() => encodeRequestHead({ ...base, traceparent: undefined, metadata: { n: 1 as unknown as string } })).toThrow(
      /metadata value of n/,
    );
    expect(encodeRequestHead({ ...base, traceparent: "x".repeat(255), metadata: undefined })).toHaveLength(REQUEST_HEADER_BYTES + 256);
  });

  it("reject malformed bodies with ProtocolError", () => {
    const good = encodeRequestHead({ method: 1, timeoutMs: 0, traceparent: "00-abc", metadata: { a: "b" } });
    const bad: [string, Buffer][] = [
      ["too short", good.subarray(0, 8)],
      ["unknown flags", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 4])],
      ["traceparent past the end", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 1, 10, 65])],
      ["traceparent length missing", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 1])],
      ["metadata length past the end", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0])],
      ["metadata past the end", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 9, 0x80])],
      ["metadata not msgpack", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0xc1])],
      ["metadata not a map", Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 1]), Buffer.from([0x93])])],
      [
        "metadata with a number",
        Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 4]), Buffer.from([0x81, 0xa1, 0x61, 0x01])]),
      ],
    ];
    for (const [what, body] of bad) expect(() => decodeRequest(whole(body)), what).toThrow(ProtocolError);
    expect(decodeRequest(whole(good)).traceparent).toBe("00-abc");
    // A body within a larger chunk is read within its bounds only.
    const chunk = Buffer.concat([Buffer.from([9, 9, 9]), good.subarray(0, 8), Buffer.from([0, 0, 0, 0, 0, 0])]);
    expect(() => decodeRequest(new ByteRange(chunk, 3, 11))).toThrow(/too short/);
  });
});

describe("handshake bodies", () => {
  it("round-trip, and reject what is not a msgpack map", () => {
    const hello = { protocol: 1, deployment: "d", version: "v", peer: "p", maxFrameBytes: 4096 };
    expect(decodeHello(encodeHello(hello))).toEqual(hello);
    for (const body of [Buffer.from([0xc1]), Buffer.from([0x93, 1, 2, 3]), Buffer.from([0xc0]), Buffer.alloc(0)]) {
      expect(() => decodeHello(body)).toThrow(ProtocolError);
    }
  });

  it("take the peer's frame limit only when it is sensible and smaller", () => {
    expect(peerMaxFrameBytes({ maxFrameBytes: 4096 }, 10_000)).toBe(4096);
    expect(peerMaxFrameBytes({ maxFrameBytes: 1e9 }, 10_000)).toBe(10_000);
    for (const nonsense of [undefined, 12, -1, 1.5e3 + 0.5, "4096", Number.NaN]) {
      expect(peerMaxFrameBytes({ maxFrameBytes: nonsense }, 10_000)).toBe(10_000);
    }
  });
});
