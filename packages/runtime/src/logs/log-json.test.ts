import { describe, expect, it } from "vitest";
import { logEntryJson, rfc3339Micros } from "./log-json.js";
import { entry } from "./log-fixtures.test.util.js";

describe("logEntryJson", () => {
  it("gives Service Weaver's fields, in its order, with short and full ids", () => {
    const time = Date.UTC(2023, 9, 3, 18, 51, 2) * 1000 + 42_859;
    const json = logEntryJson(entry({ time, attrs: { user: "ada" } }));
    expect(JSON.stringify(json)).toBe(
      JSON.stringify({
        app: "hello",
        version: "bd689290",
        full_version: "bd689290-4929-47f1-a0f0-774d5e1a9307",
        component: "hello.Reverser",
        full_component: "hello.Reverser",
        node: "ac04576d",
        full_node: "ac04576d-1cf0-4a4e-a2c4-7c39ad2ac7f1",
        time: "2023-10-03T18:51:02.042859Z",
        level: "info",
        file: "reverser.ts",
        line: 12,
        msg: "reversing",
        attrs: { user: "ada" },
      }),
    );
  });
});

describe("rfc3339Micros", () => {
  it("keeps all six fraction digits, leading zeros included", () => {
    expect(rfc3339Micros(0)).toBe("1970-01-01T00:00:00.000000Z");
    expect(rfc3339Micros(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 6)).toBe("2026-01-02T03:04:05.000006Z");
    expect(rfc3339Micros(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 999_999)).toBe("2026-01-02T03:04:05.999999Z");
  });
});
