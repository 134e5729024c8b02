import { describe, expect, it } from "vitest";
import type { LogEntry } from "./log-entry.js";
import { RecentLogs } from "./recent-logs.js";

const entry = (msg: string): LogEntry => ({
  app: "a",
  version: "d",
  component: "c",
  node: "n",
  time: 1,
  level: "info",
  file: "",
  line: -1,
  msg,
  attrs: {},
});
const all = (): boolean => true;
const msgs = (r: { entries: readonly LogEntry[] }): string[] => r.entries.map((e) => e.msg);

describe("RecentLogs", () => {
  it("numbers entries and answers the last ones matching a filter", () => {
    const logs = new RecentLogs(10);
    for (let i = 0; i < 5; i++) logs.add(entry(`m${i}`));
    expect(logs.next).toBe(5);
    expect(msgs(logs.last(all, 2))).toEqual(["m3", "m4"]);
    expect(msgs(logs.last((e) => e.msg !== "m4", 2))).toEqual(["m2", "m3"]);
    expect(logs.last(all, 100).next).toBe(5);
  });

  it("keeps only the newest entries and tells a late reader how many it missed", async () => {
    const logs = new RecentLogs(3);
    for (let i = 0; i < 7; i++) logs.add(entry(`m${i}`));
    expect(msgs(logs.last(all, 10))).toEqual(["m4", "m5", "m6"]);
    const late = await logs.since(1, all, 10);
    expect(late).toEqual({ entries: [entry("m4"), entry("m5"), entry("m6")], next: 7, missed: 3 });
    expect(await logs.since(5, all, 1)).toEqual({ entries: [entry("m5")], next: 6, missed: 0 });
  });

  it("skips entries the filter refuses and moves past them", async () => {
    const logs = new RecentLogs();
    for (const m of ["a", "b", "c"]) logs.add(entry(m));
    expect(await logs.since(0, (e) => e.msg === "b", 10)).toEqual({ entries: [entry("b")], next: 3, missed: 0 });
    expect(await logs.since(0, () => false, 10)).toEqual({ entries: [], next: 3, missed: 0 });
  });

  it("waits for an entry, for the time given, or until aborted", async () => {
    const logs = new RecentLogs();
    const waiting = logs.since(0, (e) => e.msg === "wanted", 10, 5_000);
    logs.add(entry("other"));
    setTimeout(() => logs.add(entry("wanted")), 20);
    expect(await waiting).toEqual({ entries: [entry("wanted")], next: 2, missed: 0 });
    expect(await logs.since(2, all, 10, 30)).toEqual({ entries: [], next: 2, missed: 0 });
    const abort = new AbortController();
    const aborted = logs.since(2, all, 10, 20_000, abort.signal);
    abort.abort();
    expect(await aborted).toEqual({ entries: [], next: 2, missed: 0 });
  });
});
