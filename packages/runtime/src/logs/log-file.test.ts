import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LogFile, parseLogLine } from "./log-file.js";
import { entry } from "./log-fixtures.test.util.js";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weaver-log-file-"));
  path = join(dir, "d.jsonl");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (msg: string, time = 1): string => JSON.stringify(entry({ msg, time })) + "\n";
const msgs = (f: LogFile, until?: number): string[] => f.read(until).entries.map((e) => e.msg);

describe("LogFile", () => {
  it("reads only complete lines, and the rest once its newline is written", () => {
    const second = line("second é");
    writeFileSync(path, line("first") + second.slice(0, 20));
    const f = new LogFile(path);
    expect(msgs(f)).toEqual(["first"]);
    expect(msgs(f)).toEqual([]);
    appendFileSync(path, second.slice(20, -1));
    expect(msgs(f)).toEqual([]);
    appendFileSync(path, "\n" + line("third"));
    expect(msgs(f)).toEqual(["second é", "third"]);
  });

  it("splits a multi-byte character across reads without damaging it", () => {
    const text = line("ünïcödé ✅");
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from("✅")) + 1; // inside the three bytes of ✅
    writeFileSync(path, bytes.subarray(0, cut));
    const f = new LogFile(path);
    expect(msgs(f)).toEqual([]);
    appendFileSync(path, bytes.subarray(cut));
    expect(msgs(f)).toEqual(["ünïcödé ✅"]);
  });

  it("stops at the given position and continues from it", () => {
    writeFileSync(path, line("a") + line("b"));
    const f = new LogFile(path);
    expect(msgs(f, line("a").length)).toEqual(["a"]);
    expect(msgs(f)).toEqual(["b"]);
  });

  it("reads a large file in chunks, telling when there is more", () => {
    const lines = Array.from({ length: 6000 }, (_, i) => line(`m${i}`.padEnd(200, "x"), i)).join("");
    writeFileSync(path, lines);
    const f = new LogFile(path);
    const seen: string[] = [];
    let chunks = 0;
    for (let more = true; more; chunks++) {
      const chunk = f.read();
      seen.push(...chunk.entries.map((e) => e.msg.slice(0, 5)));
      more = chunk.more;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(seen).toHaveLength(6000);
    expect(seen[5999]).toBe("m5999");
  });

  it("counts lines that are not entries and skips blank ones", () => {
    writeFileSync(path, line("a") + "not json\n\n" + '{"msg":"no time"}\n[1]\n' + line("b"));
    const chunk = new LogFile(path).read();
    expect(chunk.entries.map((e) => e.msg)).toEqual(["a", "b"]);
    expect(chunk.malformed).toBe(3);
  });

  it("starts over when the file is replaced or cut short", () => {
    writeFileSync(path, line("old 1") + line("old 2"));
    const f = new LogFile(path);
    expect(msgs(f)).toEqual(["old 1", "old 2"]);
    writeFileSync(path, line("new")); // same inode, shorter
    expect(msgs(f)).toEqual(["new"]);
    writeFileSync(`${path}.tmp`, line("newer 1") + line("newer 2") + line("newer 3"));
    renameSync(`${path}.tmp`, path); // a new file (another inode), longer
    expect(msgs(f)).toEqual(["newer 1", "newer 2", "newer 3"]);
  });

  it("reports a file that is gone", () => {
    const f = new LogFile(path);
    expect(f.size()).toBeUndefined();
    expect(() => f.read()).toThrow(/ENOENT/);
  });
});

describe("parseLogLine", () => {
  it("fills missing fields and turns non-string attributes into text", () => {
    expect(parseLogLine('{"time":5,"msg":"m","attrs":{"n":1,"s":"x"}}')).toEqual({
      app: "",
      version: "",
      component: "",
      node: "",
      time: 5,
      level: "info",
      file: "",
      line: -1,
      msg: "m",
      attrs: { n: "1", s: "x" },
    });
  });
});
