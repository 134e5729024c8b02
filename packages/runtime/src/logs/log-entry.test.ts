import { describe, expect, it } from "vitest";
import { nowMicros, PrettyPrinter, type LogEntry } from "./log-entry.js";

/** Microseconds since the epoch of a local date and time. */
function localMicros(month: number, day: number, h: number, m: number, s: number, micros: number): number {
  const ms = new Date(2023, month - 1, day, h, m, s, Math.floor(micros / 1000)).getTime();
  return ms * 1000 + (micros % 1000);
}

function entry(fields: Partial<LogEntry>): LogEntry {
  return {
    app: "httpserver",
    version: "bd689290-4929-47f1-a0f0-774d5e1a9307",
    component: "stdout",
    node: "ac04576d-1cf0-4a4e-a2c4-7c39ad2ac7f1",
    time: localMicros(10, 3, 18, 51, 2, 42_859),
    level: "stdout",
    file: "",
    line: -1,
    msg: "http listener available on 127.0.0.1:8080",
    attrs: {},
    ...fields,
  };
}

describe("PrettyPrinter", () => {
  it("prints captured stdout exactly as the article shows it", () => {
    const p = new PrettyPrinter();
    // weaver-behaviours.md §2.6, byte for byte.
    expect(p.format(entry({}))).toBe(
      "S1003 18:51:02.042859 stdout               ac04576d                      │ http listener available on 127.0.0.1:8080",
    );
    expect(p.format(entry({ node: "c03c4eed-0000-4000-8000-000000000000", time: localMicros(10, 3, 18, 51, 2, 43_210) }))).toBe(
      "S1003 18:51:02.043210 stdout               c03c4eed                      │ http listener available on 127.0.0.1:8080",
    );
  });

  it("keeps leading zeros of the month, day, time and microseconds", () => {
    const line = new PrettyPrinter().format(entry({ time: localMicros(1, 2, 3, 4, 5, 6), level: "info", component: "x" }));
    expect(line.startsWith("I0102 03:04:05.000006 x ")).toBe(true);
  });

  it("shows the level's first letter upper-cased and file:line padded to 20", () => {
    const line = new PrettyPrinter().format(
      entry({ level: "error", component: "reverser.Reverser", file: "reverser.ts", line: 12, msg: "boom" }),
    );
    expect(line).toBe("E1003 18:51:02.042859 reverser.Reverser    ac04576d reverser.ts:12       │ boom");
  });

  it('appends attributes sorted by key as key="value"', () => {
    const line = new PrettyPrinter().format(
      entry({ level: "debug", msg: "reversing", attrs: { zeta: "1", alpha: "two words", mid: 'q"uote' } }),
    );
    expect(line.endsWith(' │ reversing alpha="two words" mid="q\\"uote" zeta="1"')).toBe(true);
  });

  it("grows the component column to the longest name seen, and keeps it", () => {
    const p = new PrettyPrinter();
    const long = "a-very-long-package.SomeComponent"; // 33 characters
    const first = p.format(entry({ component: long, level: "info" }));
    const after = p.format(entry({}));
    expect(first).toBe(`I1003 18:51:02.042859 ${long} ac04576d                      │ http listener available on 127.0.0.1:8080`);
    expect(after).toBe(
      `S1003 18:51:02.042859 ${"stdout".padEnd(33)} ac04576d                      │ http listener available on 127.0.0.1:8080`,
    );
    // A fresh printer starts again at 20.
    expect(new PrettyPrinter().format(entry({}))).toContain("stdout               ac04576d");
  });

  it("prints no escape sequences without colour, and colours the line with it", () => {
    expect(new PrettyPrinter(false).format(entry({ attrs: { a: "b" } }))).not.toContain("\x1b");
    const coloured = new PrettyPrinter(true).format(entry({ level: "error" }));
    expect(coloured).toContain("\x1b[31mE1003 18:51:02.042859\x1b[0m");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of terminal output are what this checks.
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(new PrettyPrinter(false).format(entry({ level: "error" })));
  });
});

describe("nowMicros", () => {
  it("is the wall clock in microseconds", () => {
    const before = Date.now() * 1000;
    const now = nowMicros();
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThanOrEqual(before - 5_000);
    expect(now).toBeLessThanOrEqual(Date.now() * 1000 + 5_000);
  });
});
