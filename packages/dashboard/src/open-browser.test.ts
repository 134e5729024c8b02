import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { browserCommand } from "./open-browser.js";

const URL = "http://127.0.0.1:4000";

describe("browserCommand", () => {
  it("uses $BROWSER first, then the platform's opener", () => {
    expect(browserCommand(URL, { BROWSER: "firefox" }, "linux")).toEqual(["firefox", [URL]]);
    expect(browserCommand(URL, {}, "darwin")).toEqual(["open", [URL]]);
    expect(browserCommand(URL, {}, "win32")).toEqual(["cmd", ["/c", "start", '""', URL]]);
  });

  it("opens nothing on Linux without a graphical session or without xdg-open", () => {
    const dir = mkdtempSync(join(tmpdir(), "weaver-xdg-"));
    try {
      expect(browserCommand(URL, { PATH: dir }, "linux")).toBeUndefined();
      expect(browserCommand(URL, { PATH: dir, DISPLAY: ":0" }, "linux")).toBeUndefined();
      writeFileSync(join(dir, "xdg-open"), "#!/bin/sh\n", { mode: 0o755 });
      expect(browserCommand(URL, { PATH: dir }, "linux")).toBeUndefined();
      expect(browserCommand(URL, { PATH: dir, WAYLAND_DISPLAY: "wayland-0" }, "linux")).toEqual(["xdg-open", [URL]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
