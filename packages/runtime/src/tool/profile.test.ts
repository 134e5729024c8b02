import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { profileDuration } from "./profile.js";

describe("profileDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5s", 5_000],
    ["500ms", 500],
    ["1m", 60_000],
    ["1m30s", 90_000],
    ["1.5s", 1_500],
    ["1h", 3_600_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(profileDuration(text, "multi")).toBe(ms);
  });

  it.each([
    ["5", "is not a duration"],
    ["5x", "is not a duration"],
    ["-5s", "is not a duration"],
    ["", "is not a duration"],
    ["0s", "is too short"],
    ["0.1ms", "is too short"],
    ["2h", "is longer than 1h0m0s"],
  ])("refuses %j: it %s", (text, why) => {
    expect(() => profileDuration(text, "multi")).toThrow(UsageError);
    expect(() => profileDuration(text, "multi")).toThrow(
      `--duration ${JSON.stringify(text)} ${why}; write it like 30s, 500ms, 1m or 1m30s. See "weaver multi profile --help".`,
    );
  });
});
