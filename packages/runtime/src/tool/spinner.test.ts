import { afterEach, describe, expect, it, vi } from "vitest";
import { startSpinner } from "./spinner.js";

afterEach(() => {
  vi.useRealTimers();
});

/** A stream that records what is written. */
function recorder(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  return { stream: { write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream, text: () => chunks.join("") };
}

describe("startSpinner", () => {
  it("counts the seconds up to the total in place, then erases its line", () => {
    vi.useFakeTimers();
    const { stream, text } = recorder();
    const spinner = startSpinner(stream, 30_000);
    vi.advanceTimersByTime(8_050);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of terminal output are what this checks.
    expect(text()).toMatch(/^\r⠋ \[0s\/30s\] Profiling in progress\.\.\.\x1b\[K/);
    expect(text()).toContain("] Profiling in progress...\x1b[K\r");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of terminal output are what this checks.
    expect(text().split("\r").at(-1)).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[8s\/30s\] Profiling in progress\.\.\.\x1b\[K$/);
    vi.advanceTimersByTime(60_000);
    expect(text().split("\r").at(-1)).toContain("[30s/30s]");
    spinner.stop();
    expect(text().endsWith("\r\x1b[K")).toBe(true);
    const written = text().length;
    vi.advanceTimersByTime(1_000);
    expect(text().length).toBe(written);
  });

  it("shows a total that is not whole seconds as asked", () => {
    vi.useFakeTimers();
    for (const [ms, shown] of [
      [500, "500ms"],
      [1_500, "1.5s"],
      [90_000, "1m30s"],
    ] as const) {
      const { stream, text } = recorder();
      startSpinner(stream, ms).stop();
      expect(text()).toContain(`[0s/${shown}]`);
    }
  });
});
