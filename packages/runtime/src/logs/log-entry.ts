/**
 * Log entries and their pretty form. Component loggers write pino JSON lines; captured stdout and
 * stderr become entries too. The pretty form is Service Weaver's:
 *
 *   S1003 18:51:02.042859 stdout               ac04576d                      │ listening on 127.0.0.1:8080
 *
 * level letter, MMDD, time with microseconds, component (padded to 20, growing to the longest
 * seen), first 8 characters of the replica id, file:line (padded to 20), then ` │ ` and the
 * message followed by its attributes as key="value", sorted by key.
 */
import { colorFor, sgr } from "../output/terminal.js";

/** One log entry. */
export interface LogEntry {
  /** App name. */
  readonly app: string;
  /** Deployment id. */
  readonly version: string;
  /** Short component name, or "stdout"/"stderr" for captured output. */
  readonly component: string;
  /** Replica id. */
  readonly node: string;
  /** Microseconds since the epoch. */
  readonly time: number;
  /** debug, info, warn, error, fatal, stdout or stderr. */
  readonly level: string;
  /** Source file, or "". */
  readonly file: string;
  /** Source line, or -1. */
  readonly line: number;
  readonly msg: string;
  readonly attrs: Readonly<Record<string, string>>;
}

/** Microseconds since the epoch, with sub-millisecond precision. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

const two = (n: number): string => String(n).padStart(2, "0");

/** Formats entries in the pretty form; keeps the component column as wide as the widest seen. */
export class PrettyPrinter {
  #componentWidth = 20;
  readonly #sourceWidth = 20;

  constructor(private readonly color = false) {}

  /** Formats one entry as one line (without the newline). */
  format(e: LogEntry): string {
    const d = new Date(Math.floor(e.time / 1000));
    const micros = String(e.time % 1_000_000).padStart(6, "0");
    const stamp = `${two(d.getMonth() + 1)}${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${micros}`;
    if (e.component.length > this.#componentWidth) this.#componentWidth = e.component.length;
    const source = e.file === "" ? "" : `${e.file}:${e.line}`;
    const attrs = Object.keys(e.attrs)
      .sort()
      .map((k) => ` ${k}=${JSON.stringify(e.attrs[k])}`)
      .join("");
    const letter = (e.level[0] ?? "?").toUpperCase();
    const node = e.node.slice(0, 8);
    if (!this.color) {
      return `${letter}${stamp} ${e.component.padEnd(this.#componentWidth)} ${node} ${source.padEnd(this.#sourceWidth)} │ ${e.msg}${attrs}`;
    }
    const levelColor = e.level === "error" || e.level === "fatal" ? 31 : e.level === "warn" ? 33 : 2;
    return (
      `${sgr(levelColor, letter + stamp)} ${e.component.padEnd(this.#componentWidth)} ` +
      `${sgr(colorFor(e.node), node)} ${sgr(2, source.padEnd(this.#sourceWidth))} │ ${e.msg}${sgr(2, attrs)}`
    );
  }
}

const IDENTITY_KEYS = new Set(["level", "time", "app", "version", "node", "component", "msg", "file", "line"]);

/** Turns one JSON line written by a component's pino logger into a log entry. */
export function entryFromPino(line: string): LogEntry {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (IDENTITY_KEYS.has(k)) continue;
    if (typeof v === "string") attrs[k] = v;
    else if (v !== null && typeof v === "object" && typeof (v as { message?: unknown }).message === "string") {
      attrs[k] = (v as { message: string }).message;
    } else attrs[k] = JSON.stringify(v);
  }
  return {
    app: String(raw["app"] ?? ""),
    version: String(raw["version"] ?? ""),
    component: String(raw["component"] ?? "main"),
    node: String(raw["node"] ?? ""),
    time: typeof raw["time"] === "number" ? raw["time"] : nowMicros(),
    level: String(raw["level"] ?? "info"),
    file: typeof raw["file"] === "string" ? raw["file"] : "",
    line: typeof raw["line"] === "number" ? raw["line"] : -1,
    msg: String(raw["msg"] ?? ""),
    attrs,
  };
}
