import { describe, expect, it } from "vitest";
import type { LogEntry } from "./log-entry.js";
import { mergeByTime, type EntrySource } from "./log-merge.js";
import { entry } from "./log-fixtures.test.util.js";

/** A source that gives its entries in chunks of `size`. */
function chunked(times: number[], tag: string, size = 2): EntrySource {
  const entries = times.map((time) => entry({ time, msg: tag }));
  let at = 0;
  return () => {
    const chunk = entries.slice(at, at + size);
    at += chunk.length;
    return chunk;
  };
}

const all = (batches: Iterable<LogEntry[]>): LogEntry[] => [...batches].flat();

describe("mergeByTime", () => {
  it("interleaves sources by time, reading each a chunk at a time", () => {
    const out = all(mergeByTime([chunked([1, 4, 5, 9], "a"), chunked([2, 3, 10], "b", 1), chunked([], "c"), chunked([6], "d")]));
    expect(out.map((e) => `${e.time}${e.msg}`)).toEqual(["1a", "2b", "3b", "4a", "5a", "6d", "9a", "10b"]);
  });

  it("breaks ties by source order and keeps each source's own order", () => {
    const out = all(mergeByTime([chunked([5, 5], "a"), chunked([5, 1], "b")]));
    // b's 1 comes after its 5: a source is taken in its own order.
    expect(out.map((e) => `${e.time}${e.msg}`)).toEqual(["5a", "5a", "5b", "1b"]);
  });

  it("yields batches of at most the batch size", () => {
    const times = Array.from({ length: 25 }, (_, i) => i);
    const batches = [...mergeByTime([chunked(times, "a", 7)], 10)];
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat().map((e) => e.time)).toEqual(times);
  });

  it("merges many sources in order", () => {
    const sources = Array.from({ length: 50 }, (_, s) =>
      chunked(
        Array.from({ length: 20 }, (_, i) => i * 50 + s),
        `s${s}`,
        3,
      ),
    );
    const times = all(mergeByTime(sources)).map((e) => e.time);
    expect(times).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
