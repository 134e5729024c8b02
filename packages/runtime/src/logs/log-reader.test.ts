import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogEntry } from "./log-entry.js";
import { logFilter } from "./log-filter.js";
import { listLogFiles, readLogs, type ReadLogsOptions } from "./log-reader.js";
import { append, entry } from "./log-fixtures.test.util.js";
import { SYSTEM_ATTR } from "./system-log.js";

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";

let home: string;
let dir: string;
let saved: string | undefined;
beforeEach(() => {
  saved = process.env["XDG_DATA_HOME"];
  home = mkdtempSync(join(tmpdir(), "weaver-log-reader-"));
  process.env["XDG_DATA_HOME"] = home;
  dir = join(home, "weaver", "multi", "logs");
});
afterEach(() => {
  if (saved === undefined) delete process.env["XDG_DATA_HOME"];
  else process.env["XDG_DATA_HOME"] = saved;
  rmSync(home, { recursive: true, force: true });
});

async function collect(options: Partial<ReadLogsOptions> = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const batch of readLogs({ dir, ...options })) out.push(...batch);
  return out;
}

const at = (time: number, msg: string, fields: Partial<LogEntry> = {}): LogEntry => entry({ time, msg, ...fields });

/**
 * Follows the logs in the background; `seen` grows as entries arrive. stop() aborts and waits
 * for the generator to return.
 */
function follow(options: Partial<ReadLogsOptions> = {}): {
  seen: LogEntry[];
  until: (n: number) => Promise<void>;
  stop: () => Promise<void>;
} {
  const controller = new AbortController();
  const seen: LogEntry[] = [];
  const done = (async () => {
    for await (const batch of readLogs({ dir, ...options, follow: true, pollMs: 10, signal: controller.signal })) seen.push(...batch);
  })();
  return {
    seen,
    async until(n) {
      const deadline = Date.now() + 5000;
      while (seen.length < n) {
        if (Date.now() > deadline) throw new Error(`saw ${seen.length} entries, not ${n}: ${seen.map((e) => e.msg).join(", ")}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() {
      controller.abort();
      await done;
    },
  };
}

describe("readLogs", () => {
  it("reads the multi deployer's log folder by default, and nothing when it does not exist", async () => {
    expect(listLogFiles(dir)).toEqual([]);
    expect(await collect()).toEqual([]);
    append(dir, A, at(1, "x"));
    expect(listLogFiles(dir)).toEqual([`${A}.jsonl`]);
    expect((await collect()).map((e) => e.msg)).toEqual(["x"]);
  });

  it("merges the entries of every deployment in time order", async () => {
    append(dir, A, at(10, "a1", { version: A }), at(30, "a2", { version: A }), at(50, "a3", { version: A }));
    append(dir, B, at(20, "b1", { version: B }), at(40, "b2", { version: B }));
    expect((await collect()).map((e) => e.msg)).toEqual(["a1", "b1", "a2", "b2", "a3"]);
  });

  it("applies the filter, hiding system entries by default", async () => {
    const sys = { component: "deployer", attrs: { [SYSTEM_ATTR]: "true" } };
    append(dir, A, at(1, "app", { version: A }), at(2, "restarted replica", sys), at(3, "err", { version: A, level: "error" }));
    append(dir, B, at(4, "other", { version: B, level: "error" }));
    expect((await collect({ filter: logFilter("") })).map((e) => e.msg)).toEqual(["app", "err", "other"]);
    expect((await collect({ filter: logFilter("", { system: true }) })).map((e) => e.msg)).toEqual([
      "app",
      "restarted replica",
      "err",
      "other",
    ]);
    expect((await collect({ filter: logFilter('version == "aaaaaaaa" && level == "error"') })).map((e) => e.msg)).toEqual(["err"]);
  });

  it("leaves out a partly written last line, and reports damaged lines", async () => {
    const file = append(dir, A, at(1, "whole"));
    appendFileSync(file, "this is not json\n" + JSON.stringify(at(2, "half")).slice(0, 30));
    const warnings: string[] = [];
    expect((await collect({ onWarning: (m) => warnings.push(m) })).map((e) => e.msg)).toEqual(["whole"]);
    expect(warnings).toEqual([`skipped 1 line(s) of ${file} that are not log entries`]);
  });

  it("follows: prints appended lines, a line completed later, and files that appear", async () => {
    const fileA = append(dir, A, at(1, "before"));
    const half = JSON.stringify(at(2, "completed later")) + "\n";
    appendFileSync(fileA, half.slice(0, 25));
    const f = follow();
    await f.until(1);
    appendFileSync(fileA, half.slice(25));
    await f.until(2);
    append(dir, B, at(3, "new deployment"));
    await f.until(3);
    append(dir, A, at(4, "appended"));
    await f.until(4);
    await f.stop();
    expect(f.seen.map((e) => e.msg)).toEqual(["before", "completed later", "new deployment", "appended"]);
  });

  it("follows from an empty or missing folder, and orders what one poll finds by time", async () => {
    const f = follow({ filter: logFilter('msg.contains("keep")') });
    await new Promise((r) => setTimeout(r, 30));
    append(dir, B, at(20, "keep b"), at(21, "drop b"));
    append(dir, A, at(10, "keep a"));
    await f.until(2);
    await f.stop();
    expect(f.seen.map((e) => e.msg)).toEqual(["keep a", "keep b"]);
  });

  it("stops following when aborted, and does not print twice what the first pass printed", async () => {
    append(dir, A, at(1, "one"), at(2, "two"));
    const f = follow();
    await f.until(2);
    await new Promise((r) => setTimeout(r, 50)); // several polls with nothing new
    await f.stop();
    expect(f.seen.map((e) => e.msg)).toEqual(["one", "two"]);
  });
});
