import { describe, expect, it } from "vitest";
import { formatAge, renderTable } from "./table.js";

describe("renderTable", () => {
  it("prints the DEPLOYMENTS table of weaver multi status byte for byte", () => {
    const out = renderTable("DEPLOYMENTS", ["APP", "DEPLOYMENT", "AGE"], [["httpserver", "bd689290-4929-47f1-a0f0-774d5e1a9307", "1m3s"]]);
    expect(out).toBe(
      [
        "╭──────────────────────────────────────────────────────────╮",
        "│ DEPLOYMENTS                                              │",
        "├────────────┬──────────────────────────────────────┬──────┤",
        "│ APP        │ DEPLOYMENT                           │ AGE  │",
        "├────────────┼──────────────────────────────────────┼──────┤",
        "│ httpserver │ bd689290-4929-47f1-a0f0-774d5e1a9307 │ 1m3s │",
        "╰────────────┴──────────────────────────────────────┴──────╯",
        "",
      ].join("\n"),
    );
  });

  it("prints the COMPONENTS and LISTENERS tables byte for byte", () => {
    const components = renderTable(
      "COMPONENTS",
      ["APP", "DEPLOYMENT", "COMPONENT", "REPLICA PIDS"],
      [
        ["httpserver", "bd689290", "weaver.Main", "30194, 30195"],
        ["httpserver", "bd689290", "httpserver.Converter", "30198, 30199"],
        ["httpserver", "bd689290", "httpserver.Reverser", "30196, 30197"],
      ],
    );
    expect(components).toBe(
      [
        "╭───────────────────────────────────────────────────────────────╮",
        "│ COMPONENTS                                                    │",
        "├────────────┬────────────┬──────────────────────┬──────────────┤",
        "│ APP        │ DEPLOYMENT │ COMPONENT            │ REPLICA PIDS │",
        "├────────────┼────────────┼──────────────────────┼──────────────┤",
        "│ httpserver │ bd689290   │ weaver.Main          │ 30194, 30195 │",
        "│ httpserver │ bd689290   │ httpserver.Converter │ 30198, 30199 │",
        "│ httpserver │ bd689290   │ httpserver.Reverser  │ 30196, 30197 │",
        "╰────────────┴────────────┴──────────────────────┴──────────────╯",
        "",
      ].join("\n"),
    );
    const listeners = renderTable(
      "LISTENERS",
      ["APP", "DEPLOYMENT", "LISTENER", "ADDRESS"],
      [["httpserver", "bd689290", "lis", "127.0.0.1:8080"]],
    );
    expect(listeners.split("\n")[0]).toBe("╭─────────────────────────────────────────────────────╮");
    expect(listeners.split("\n")[5]).toBe("│ httpserver │ bd689290   │ lis      │ 127.0.0.1:8080 │");
  });

  it("dims repeated leading cells only with colour", () => {
    const rows = [
      ["a", "x", "1"],
      ["a", "x", "2"],
      ["b", "x", "3"],
    ];
    const plain = renderTable("T", ["A", "B", "C"], rows);
    expect(plain).not.toContain("\x1b");
    const colored = renderTable("T", ["A", "B", "C"], rows, true).split("\n");
    expect(colored[6]).toBe("│ \x1b[2ma\x1b[0m │ \x1b[2mx\x1b[0m │ 2 │");
    expect(colored[7]).toBe("│ b │ x │ 3 │");
  });
});

describe("formatAge", () => {
  it("prints Go's truncated durations", () => {
    expect(formatAge(3_400)).toBe("3s");
    expect(formatAge(63_000)).toBe("1m3s");
    expect(formatAge(7_500_000)).toBe("2h5m0s");
    expect(formatAge(-5)).toBe("0s");
  });
});

describe("renderTable with a title of several lines", () => {
  it("puts every line in the box and widens the last column for a long one", () => {
    const out = renderTable(["// Calls of a component method", "weaver_method_count: COUNTER"], ["method", "Value"], [["get", "3"]]);
    expect(out).toBe(
      [
        "╭────────────────────────────────╮",
        "│ // Calls of a component method │",
        "│ weaver_method_count: COUNTER   │",
        "├────────┬───────────────────────┤",
        "│ method │ Value                 │",
        "├────────┼───────────────────────┤",
        "│ get    │ 3                     │",
        "╰────────┴───────────────────────╯",
        "",
      ].join("\n"),
    );
  });
});
