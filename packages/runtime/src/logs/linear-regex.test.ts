import { describe, expect, it } from "vitest";
import { compileLinearRegex, MAX_REGEX_PROGRAM, RegexSyntaxError } from "./linear-regex.js";
import { compileLogQuery } from "./log-query.js";
import type { LogEntry } from "./log-entry.js";

const refusal = (pattern: string): RegexSyntaxError => {
  try {
    compileLinearRegex(pattern);
  } catch (e) {
    expect(e).toBeInstanceOf(RegexSyntaxError);
    return e as RegexSyntaxError;
  }
  throw new Error(`${pattern} compiled`);
};

describe("compileLinearRegex", () => {
  it("matches as RE2 does: classes, anchors, alternation, named groups, flags", () => {
    expect(compileLinearRegex("^http .* on 127\\.0\\.0\\.1:\\d+$").test("http listener on 127.0.0.1:8080")).toBe(true);
    expect(compileLinearRegex("error|timeout").test("a timeout")).toBe(true);
    expect(compileLinearRegex("(?P<word>\\w+)-(?<n>\\d+)").test("id-42")).toBe(true);
    expect(compileLinearRegex("(?i)ERROR").test("an error")).toBe(true);
    expect(compileLinearRegex("ERROR", { ignoreCase: true }).test("an error")).toBe(true);
    expect(compileLinearRegex("ERROR").test("an error")).toBe(false);
  });

  it("runs exponential-time patterns of backtracking engines in linear time", { timeout: 60_000 }, () => {
    // JavaScript's RegExp takes hours on each of these; RE2 takes milliseconds.
    const line = `${"a".repeat(100_000)}!`;
    expect(compileLinearRegex("(a+)+$").test(line)).toBe(false);
    expect(compileLinearRegex("(a|aa)+b").test(line)).toBe(false);
    expect(compileLinearRegex("(\\w+\\s?)*\\d").test(line)).toBe(false);
  });

  it("refuses what RE2 does not support, saying what and where", () => {
    expect(refusal("(a)\\1")).toMatchObject({ at: 3, message: expect.stringContaining("`\\1` is a backreference") });
    expect(refusal("a(?=b)")).toMatchObject({ at: 1, message: expect.stringContaining("`(?=` is lookaround") });
    expect(refusal("(?<=b)a")).toMatchObject({ at: 0, message: expect.stringContaining("`(?<=` is lookaround") });
    expect(refusal("x[a-")).toMatchObject({ at: 1, message: "missing closing ] `[a-`" });
    expect(refusal(`(a|aa){${Math.ceil(MAX_REGEX_PROGRAM / 6) + 1}}`).message).toMatch(/too large for a query/);
  });
});

describe("msg.matches() of a log query", () => {
  it("tests a long line against an exponential pattern in linear time", { timeout: 60_000 }, () => {
    const entry = { app: "a", version: "v", component: "c", node: "n", time: 1, level: "info", file: "", line: -1, attrs: {} };
    const matches = compileLogQuery('msg.matches("(a+)+$")');
    expect(matches({ ...entry, msg: `${"a".repeat(100_000)}!` } satisfies LogEntry)).toBe(false);
    expect(matches({ ...entry, msg: "aaa" } satisfies LogEntry)).toBe(true);
  });
});
