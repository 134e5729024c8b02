import { describe, expect, it } from "vitest";
import type { DeploymentStatus, GroupStatus, ReplicaStatus } from "../deployments/deployment-status.js";
import { formatStatusTables } from "./status-tables.js";

const ID = "bd689290-4929-47f1-a0f0-774d5e1a9307";
const NOW = 1_700_000_000_000;

function replicas(...pids: number[]): ReplicaStatus[] {
  return pids.map((pid, i) => ({ id: `r${pid}`, pid, state: "ready", started: NOW, restarts: i }));
}

function group(short: string, full: string, pids: number[]): GroupStatus {
  return { name: short, components: [full], replicas: replicas(...pids) };
}

/** The httpserver deployment of weaver-behaviours.md §2.7 (pids listed out of order on purpose). */
function httpserver(fields: Partial<DeploymentStatus> = {}): DeploymentStatus {
  return {
    app: "httpserver",
    deployment: ID,
    started: NOW - 63_000,
    pid: 30193,
    configFile: "weaver.toml",
    config: {},
    groups: [
      group("weaver.Main", "weaver/Main", [30195, 30194]),
      group("httpserver.Reverser", "httpserver/Reverser", [30197, 30196]),
      group("httpserver.Converter", "httpserver/Converter", [30199, 30198]),
    ],
    components: [
      { name: "weaver/Main", short: "weaver.Main", group: "weaver.Main" },
      { name: "httpserver/Converter", short: "httpserver.Converter", group: "httpserver.Converter" },
      { name: "httpserver/Reverser", short: "httpserver.Reverser", group: "httpserver.Reverser" },
    ],
    listeners: [{ name: "lis", address: "127.0.0.1:8080" }],
    ...fields,
  };
}

describe("formatStatusTables", () => {
  it("prints the article's three tables byte for byte", () => {
    expect(formatStatusTables([httpserver()], NOW)).toBe(
      [
        "╭──────────────────────────────────────────────────────────╮",
        "│ DEPLOYMENTS                                              │",
        "├────────────┬──────────────────────────────────────┬──────┤",
        "│ APP        │ DEPLOYMENT                           │ AGE  │",
        "├────────────┼──────────────────────────────────────┼──────┤",
        "│ httpserver │ bd689290-4929-47f1-a0f0-774d5e1a9307 │ 1m3s │",
        "╰────────────┴──────────────────────────────────────┴──────╯",
        "╭───────────────────────────────────────────────────────────────╮",
        "│ COMPONENTS                                                    │",
        "├────────────┬────────────┬──────────────────────┬──────────────┤",
        "│ APP        │ DEPLOYMENT │ COMPONENT            │ REPLICA PIDS │",
        "├────────────┼────────────┼──────────────────────┼──────────────┤",
        "│ httpserver │ bd689290   │ weaver.Main          │ 30194, 30195 │",
        "│ httpserver │ bd689290   │ httpserver.Converter │ 30198, 30199 │",
        "│ httpserver │ bd689290   │ httpserver.Reverser  │ 30196, 30197 │",
        "╰────────────┴────────────┴──────────────────────┴──────────────╯",
        "╭─────────────────────────────────────────────────────╮",
        "│ LISTENERS                                           │",
        "├────────────┬────────────┬──────────┬────────────────┤",
        "│ APP        │ DEPLOYMENT │ LISTENER │ ADDRESS        │",
        "├────────────┼────────────┼──────────┼────────────────┤",
        "│ httpserver │ bd689290   │ lis      │ 127.0.0.1:8080 │",
        "╰────────────┴────────────┴──────────┴────────────────╯",
        "",
      ].join("\n"),
    );
  });

  it("prints the three tables empty when nothing runs", () => {
    const out = formatStatusTables([], NOW);
    expect(out.split("\n").filter((l) => l.startsWith("│ ") && !/APP/.test(l))).toEqual([
      "│ DEPLOYMENTS            │",
      "│ COMPONENTS                                  │",
      "│ LISTENERS                             │",
    ]);
    expect(out).toContain("│ APP │ DEPLOYMENT │ COMPONENT │ REPLICA PIDS │\n├─────┼────────────┼───────────┼──────────────┤\n╰");
  });

  it("sorts deployments by app, then start time, and listeners by name", () => {
    const other = "0a5e1111-0000-4000-8000-000000000000";
    const older = "99999999-0000-4000-8000-000000000000";
    const out = formatStatusTables(
      [
        httpserver({
          listeners: [
            { name: "b", address: "127.0.0.1:2" },
            { name: "a", address: "127.0.0.1:1" },
          ],
        }),
        httpserver({ deployment: older, started: NOW - 3_600_000, components: [], listeners: [] }),
        httpserver({ app: "aaa", deployment: other, started: NOW - 1000, components: [], listeners: [] }),
      ],
      NOW,
    );
    const rows = (title: string): string[] => {
      const table = out.slice(out.indexOf(`│ ${title}`));
      return table
        .slice(0, table.indexOf("╰"))
        .split("\n")
        .slice(4, -1)
        .map((l) => l.replace(/\s+/g, " ").trim());
    };
    expect(rows("DEPLOYMENTS")).toEqual([`│ aaa │ ${other} │ 1s │`, `│ httpserver │ ${older} │ 1h0m0s │`, `│ httpserver │ ${ID} │ 1m3s │`]);
    expect(rows("LISTENERS")).toEqual(["│ httpserver │ bd689290 │ a │ 127.0.0.1:1 │", "│ httpserver │ bd689290 │ b │ 127.0.0.1:2 │"]);
  });

  it("lists the pids of a colocated group's live replicas for each of its components", () => {
    const s = httpserver({
      groups: [
        {
          name: "weaver.Main",
          components: ["weaver/Main", "httpserver/Reverser"],
          replicas: [
            { id: "a", pid: 12, state: "ready", started: NOW, restarts: 0 },
            { id: "b", pid: 9, state: "unhealthy", started: NOW, restarts: 0 },
            { id: "c", pid: 100, state: "starting", started: NOW, restarts: 0 },
            { id: "d", pid: 7, state: "restarting", started: NOW, restarts: 1 }, // its process has exited
            { id: "e", pid: 8, state: "stopped", started: NOW, restarts: 0 },
          ],
        },
      ],
      components: [
        { name: "weaver/Main", short: "weaver.Main", group: "weaver.Main" },
        { name: "httpserver/Reverser", short: "httpserver.Reverser", group: "weaver.Main" },
      ],
    });
    const lines = formatStatusTables([s], NOW)
      .split("\n")
      .filter((l) => l.includes("9, 12, 100"));
    expect(lines.map((l) => l.split("│")[3]?.trim())).toEqual(["weaver.Main", "httpserver.Reverser"]);
  });

  it("adds a ROUTING table for routed components only: each member's pid (or down), its share of the keys and what it serves now", () => {
    expect(formatStatusTables([httpserver({ routing: [] })], NOW)).not.toContain("ROUTING");
    const s = httpserver({
      routing: [
        {
          component: "httpserver/Reverser",
          version: 1,
          slots: 4096,
          members: [
            { member: "httpserver.Reverser/0", replica: "r30196", up: true, owned: 2000, serving: 4096 },
            { member: "httpserver.Reverser/1", replica: "r30197", up: false, owned: 2096, serving: 0 },
          ],
        },
      ],
    });
    const out = formatStatusTables([s], NOW);
    expect(out.slice(out.indexOf("│ ROUTING"))).toContain(
      [
        "├────────────┬────────────┬─────────────────────┬───────────────────────┬─────────────┬───────┬─────────┤",
        "│ APP        │ DEPLOYMENT │ COMPONENT           │ MEMBER                │ REPLICA PID │ KEYS  │ SERVING │",
        "├────────────┼────────────┼─────────────────────┼───────────────────────┼─────────────┼───────┼─────────┤",
        "│ httpserver │ bd689290   │ httpserver.Reverser │ httpserver.Reverser/0 │ 30196       │ 48.8% │ 100.0%  │",
        "│ httpserver │ bd689290   │ httpserver.Reverser │ httpserver.Reverser/1 │ down        │ 51.2% │ 0.0%    │",
      ].join("\n"),
    );
  });

  it("dims repeated leading cells only when colour is on", () => {
    const plain = formatStatusTables([httpserver()], NOW);
    expect(plain).not.toContain("\x1b[");
    const coloured = formatStatusTables([httpserver()], NOW, true);
    expect(coloured).toContain("│ \x1b[2mhttpserver\x1b[0m │ \x1b[2mbd689290\x1b[0m   │ httpserver.Converter │");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of terminal output are what this checks.
    expect(coloured.replace(/\x1b\[\d+m/g, "")).toBe(plain);
  });
});

describe("formatStatusTables: traffic and rollouts", () => {
  const V2 = "e1528103-13dc-4ad9-b816-397c652aac88";
  const at = (s: number): number => new Date(2026, 11, 3, 15, 22, s).getTime();
  const split = {
    traffic: [
      { host: "127.0.0.1:8080", listener: "lis", deployment: ID, fraction: 0.75 },
      { host: "127.0.0.1:8080", listener: "lis", deployment: V2, fraction: 0.25 },
    ],
    rollout: {
      from: ID,
      to: V2,
      state: "rolling" as const,
      steps: [
        { at: at(11), fraction: 0.1, planned: false },
        { at: at(15), fraction: 0.25, planned: false },
        { at: at(19), fraction: 0.5, planned: true },
      ],
    },
  };

  it("shows each version's share once, and the rollout's steps done, now and next", () => {
    const out = formatStatusTables([httpserver(split), httpserver({ ...split, deployment: V2, started: NOW })], NOW);
    expect(out).toContain(
      [
        "│ HOST           │ LISTENER │ APP        │ DEPLOYMENT │ TRAFFIC FRACTION │",
        "├────────────────┼──────────┼────────────┼────────────┼──────────────────┤",
        "│ 127.0.0.1:8080 │ lis      │ httpserver │ bd689290   │ 0.75             │",
        "│ 127.0.0.1:8080 │ lis      │ httpserver │ e1528103   │ 0.25             │",
        "╰────────────────┴──────────┴────────────┴────────────┴──────────────────╯",
      ].join("\n"),
    );
    expect(out).toContain("│ ROLLOUT OF httpserver (rolling)");
    expect(out).toContain("│ Dec  3 15:22:11 │ 0.90     │ 0.10     │ done │");
    expect(out).toContain("│ Dec  3 15:22:15 │ 0.75     │ 0.25     │ now  │");
    expect(out).toContain("│ Dec  3 15:22:19 │ 0.50     │ 0.50     │ next │");
  });

  it("says why a rollout was rolled back, and shows no traffic table for a deployer that does not split", () => {
    const back = {
      ...split.rollout,
      state: "rolled back" as const,
      steps: split.rollout.steps.slice(0, 2),
      reason: "rolled back at 25%: x",
    };
    const out = formatStatusTables([httpserver({ ...split, rollout: back })], NOW);
    expect(out).toContain("│ ROLLOUT OF httpserver (rolled back)");
    expect(out.endsWith("╯\nhttpserver: rolled back at 25%: x\n")).toBe(true);
    expect(formatStatusTables([httpserver()], NOW)).not.toContain("TRAFFIC");
  });
});
