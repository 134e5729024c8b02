import { describe, expect, it } from "vitest";
import type { LogEntry } from "./log-entry.js";
import { compileLogQuery } from "./log-query.js";
import type { WeaverError } from "../errors.js";

const base: LogEntry = {
  app: "reverser",
  version: "bd689290-4929-47f1-a0f0-774d5e1a9307",
  component: "reverser.Reverser",
  node: "ac04576d-1111-2222-3333-444455556666",
  time: Date.parse("2026-11-22T10:00:00Z") * 1000,
  level: "info",
  file: "reverser.ts",
  line: 12,
  msg: "http listener available on 127.0.0.1:8080",
  attrs: { user: "ada", count: "7" },
};
const entry = (over: Partial<LogEntry>): LogEntry => ({ ...base, ...over });
const matches = (q: string, e: LogEntry = base): boolean => compileLogQuery(q)(e);

function error(q: string): WeaverError {
  try {
    compileLogQuery(q);
  } catch (e) {
    return e as WeaverError;
  }
  throw new Error(`query ${q} compiled`);
}

describe("log queries", () => {
  it("matches everything when empty", () => {
    expect(matches("")).toBe(true);
    expect(matches("   ")).toBe(true);
  });

  it("compares the short and full forms of version, component and node", () => {
    expect(matches('version == "bd689290"')).toBe(true);
    expect(matches('full_version == "bd689290-4929-47f1-a0f0-774d5e1a9307"')).toBe(true);
    expect(matches('version == "bd689290-4929-47f1-a0f0-774d5e1a9307"')).toBe(false);
    expect(matches('node == "ac04576d"')).toBe(true);
    expect(matches('component == "reverser.Reverser" && app == "reverser"')).toBe(true);
    expect(matches('source == "reverser.ts:12"')).toBe(true);
    expect(matches('source == ""', entry({ file: "", line: -1 }))).toBe(true);
  });

  it("combines with &&, || and !, with && binding tighter", () => {
    expect(matches('level == "error" || level == "info" && app == "reverser"')).toBe(true);
    expect(matches('(level == "error" || level == "info") && app == "x"')).toBe(false);
    expect(matches('!(level == "error")')).toBe(true);
    expect(matches('!level == "info"')).toBe(false);
  });

  it("supports !=, <, <=, >, >= on strings and numbers", () => {
    expect(matches('level != "debug"')).toBe(true);
    expect(matches('app < "z" && app >= "reverser" && app > "a" && app <= "reverser"')).toBe(true);
    expect(matches('attrs["count"] > 5 && attrs["count"] <= 7')).toBe(true);
  });

  it("tests attributes, which are false when absent", () => {
    expect(matches('attrs["user"] == "ada"')).toBe(true);
    expect(matches('attrs["missing"] == ""')).toBe(false);
    expect(matches('attrs["missing"] != "x"')).toBe(false);
    expect(matches('"user" in attrs && !("missing" in attrs)')).toBe(true);
    expect(matches("attrs['user'].contains('d')")).toBe(true);
  });

  it("supports contains and matches", () => {
    expect(matches('msg.contains("listener")')).toBe(true);
    expect(matches('msg.matches("^http .* on 127\\\\.0\\\\.0\\\\.1:\\\\d+$")')).toBe(true);
    expect(matches('msg.matches("^listener")')).toBe(false);
  });

  it("compares time with timestamp()", () => {
    expect(matches('time >= timestamp("2026-11-22T10:00:00Z")')).toBe(true);
    expect(matches('time > timestamp("2026-11-22T10:00:00Z")')).toBe(false);
    expect(matches('time < timestamp("2026-11-22T11:00:00+01:00")')).toBe(false);
    expect(matches('time < timestamp("2026-11-22T10:00:00.001Z")')).toBe(true);
  });

  it.each([
    ['version = "x"', 9, "use == to compare"],
    ['level == "info" level == "x"', 17, 'unexpected "level"; join conditions with && or ||'],
    ['colour == "red"', 1, "unknown field colour"],
    ['msg.startsWith("x")', 5, "expected contains or matches"],
    ['msg == "open', 8, "a string is not closed"],
    ['time > "2026"', 8, 'time compares with timestamp("2026-01-02T15:04:05Z")'],
    ['time > timestamp("yesterday")', 18, '"yesterday" is not an RFC 3339 time'],
    ['msg.matches("(")', 14, "bad regular expression (RE2 syntax): missing closing )"],
    // RE2 semantics: what cannot run in linear time is refused, pointing at it.
    ['msg.matches("(a)\\\\1")', 17, "`\\1` is a backreference, which RE2 does not support"],
    ['msg.matches("x(?=y)")', 15, "`(?=` is lookaround, which RE2 does not support"],
    ['msg.matches("(?<!y)x")', 14, "`(?<!` is lookaround, which RE2 does not support"],
    ['msg.matches("a{1001}")', 15, "invalid repeat count `{1001}` (RE2 repeats at most 1000 times)"],
    ['msg.matches("(a|aa){300}")', 14, "the pattern is too large for a query"],
    ['attrs.user == "x"', 6, "expected [, found "],
    ['(level == "info"', 17, "expected ), found the end of the query"],
    ["level ==", 9, "expected a constant"],
    ['"user" on attrs', 8, "expected in after"],
  ])("refuses %s, naming position %i", (q, position, text) => {
    const e = error(q);
    expect(e.code).toBe("WEAVER_ERR_LOG_QUERY");
    expect(e.message).toContain(`invalid log query at position ${position}: `);
    expect(e.message).toContain(text);
    // The caret points at the position under the query.
    const [, query, caret] = e.message.split("\n");
    expect(query).toBe(`  ${q}`);
    expect(caret).toBe(`  ${" ".repeat(position - 1)}^`);
  });
});
