import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COPY_LIMIT, FrameWriter } from "./frame-writer.js";
import { FrameReader } from "./frames.js";
import { Cleanup, received, socketDir, until, type ReceivedFrame } from "./harness.test.util.js";
import { FrameType, MAX_FRAME_BYTES } from "./protocol.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A connected pair of sockets; what arrives at `far` is cut into frames. */
async function pair(): Promise<{ near: net.Socket; frames: ReceivedFrame[]; chunks: () => number }> {
  const path = join(socketDir(cleanup), "w.sock");
  const frames: ReceivedFrame[] = [];
  let chunks = 0;
  const reader = new FrameReader(MAX_FRAME_BYTES);
  const server = net.createServer((far) => {
    far.on("data", (chunk: Buffer) => {
      chunks++;
      for (const f of reader.push(chunk)) frames.push(received(f));
    });
    cleanup.add(() => far.destroy());
  });
  await new Promise<void>((r) => server.listen(path, r));
  cleanup.add(() => new Promise((r) => server.close(r)));
  const near = net.connect(path);
  await new Promise((r) => near.once("connect", r));
  cleanup.add(() => near.destroy());
  return { near, frames, chunks: () => chunks };
}

describe("FrameWriter", () => {
  it("writes the frames sent in one tick with one write", async () => {
    const { near, frames, chunks } = await pair();
    const write = vi.spyOn(near, "write");
    const writer = new FrameWriter(near);
    for (let i = 0; i < 500; i++) writer.send(FrameType.RESPONSE, i, [Buffer.from(`frame ${i}`)]);
    expect(write).not.toHaveBeenCalled(); // nothing before the end of the tick
    await new Promise((r) => process.nextTick(r));
    expect(write).toHaveBeenCalledTimes(1);
    await until(() => frames.length === 500);
    expect(frames.map((f) => [f.id, f.body.toString()])).toEqual(Array.from({ length: 500 }, (_, i) => [i, `frame ${i}`]));
    expect(chunks()).toBeLessThanOrEqual(2); // one write of ~8 KB arrives as one chunk, maybe two
  });

  it("concatenates the parts of a small frame", async () => {
    const { near, frames } = await pair();
    const writer = new FrameWriter(near);
    writer.send(FrameType.REQUEST, 9, [Buffer.from("head|"), new Uint8Array([65, 66]), Buffer.alloc(0)]);
    writer.send(FrameType.CANCEL, 9);
    await until(() => frames.length === 2);
    expect(frames[0]).toMatchObject({ type: FrameType.REQUEST, id: 9 });
    expect(frames[0]?.body.toString()).toBe("head|AB");
    expect(frames[1]).toMatchObject({ type: FrameType.CANCEL, id: 9, body: Buffer.alloc(0) });
  });

  it("hands large payloads to the socket without copying them, in one corked batch", async () => {
    const { near, frames } = await pair();
    const write = vi.spyOn(near, "write");
    const cork = vi.spyOn(near, "cork");
    const writer = new FrameWriter(near);
    const big = Buffer.alloc(COPY_LIMIT, 7);
    const bigger = new Uint8Array(3 * COPY_LIMIT).fill(8);
    writer.send(FrameType.RESPONSE, 1, [Buffer.from("small")]);
    writer.send(FrameType.RESPONSE, 2, [big]);
    writer.send(FrameType.REQUEST, 3, [Buffer.from("head"), bigger]);
    writer.send(FrameType.RESPONSE, 4, [Buffer.from("tail")]);
    await new Promise((r) => process.nextTick(r));
    expect(cork).toHaveBeenCalledTimes(1);
    const written = write.mock.calls.map((c) => c[0] as Buffer);
    expect(written.some((b) => b === big)).toBe(true); // the very same Buffer
    const view = written.find((b) => b.length === bigger.length);
    expect(view?.buffer).toBe(bigger.buffer); // a view of the same memory
    // Small frames and headers between the large payloads are flattened: 5 writes, not 8.
    expect(written).toHaveLength(5);
    await until(() => frames.length === 4);
    expect(frames.map((f) => [f.id, f.body.length])).toEqual([
      [1, 5],
      [2, COPY_LIMIT],
      [3, 4 + 3 * COPY_LIMIT],
      [4, 4],
    ]);
    expect(frames[2]?.body.subarray(4)).toEqual(Buffer.from(bigger));
  });

  it("never overwrites frames the socket still holds: many ticks of frames queued behind a full socket", async () => {
    const { near, frames } = await pair();
    const writer = new FrameWriter(near);
    const body = (i: number): Buffer => Buffer.alloc(1 + ((i * 37) % 3000), i & 0xff);
    let sent = 0;
    // Far more than an arena holds, across many flushes, queued in the socket while the kernel
    // buffer is full: a frame written over before it left would arrive with another's bytes.
    for (let tick = 0; tick < 200; tick++) {
      for (let k = 0; k < 20; k++, sent++) writer.send(FrameType.RESPONSE, sent, [body(sent).subarray(0, 1), body(sent).subarray(1)]);
      // One frame whose small parts together exceed an arena.
      if (tick === 100)
        writer.send(
          FrameType.REQUEST,
          sent++,
          Array.from({ length: 9 }, () => Buffer.alloc(3000, 0xab)),
        );
      await new Promise((r) => process.nextTick(r));
    }
    expect(near.writableLength).toBeGreaterThan(0); // the socket held some while we wrote more
    await until(() => frames.length === sent, 10_000);
    frames.forEach((f, i) => {
      expect(f.id).toBe(i);
      if (f.type === FrameType.REQUEST) expect(f.body.equals(Buffer.alloc(27_000, 0xab))).toBe(true);
      else expect(f.body.equals(body(i)), `frame ${i}`).toBe(true);
    });
  });

  it("writes nothing, and does not throw, once the socket is destroyed", async () => {
    const { near } = await pair();
    const writer = new FrameWriter(near);
    writer.send(FrameType.RESPONSE, 1, [Buffer.from("x")]);
    near.destroy();
    const write = vi.spyOn(near, "write");
    await new Promise((r) => process.nextTick(r));
    expect(write).not.toHaveBeenCalled();
    writer.send(FrameType.RESPONSE, 2, [Buffer.from("y")]);
    writer.flush();
    expect(write).not.toHaveBeenCalled();
  });
});
