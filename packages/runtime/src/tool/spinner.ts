/**
 * A one-line progress spinner on a terminal, as Service Weaver's profile command shows it:
 * `⠏ [8s/30s] Profiling in progress...`, redrawn in place ten times a second and erased when
 * stopped. Callers start it only when the stream is a terminal.
 */
import { formatAge } from "../output/table.js";

const FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const EVERY_MS = 100;

/** A running spinner. */
export interface Spinner {
  /** Erases the line and stops redrawing it. */
  stop(): void;
}

/** Shows the spinner on `stream` for a task of `totalMs`, counting up to it (and staying there). */
export function startSpinner(stream: NodeJS.WriteStream, totalMs: number, what = "Profiling in progress..."): Spinner {
  const started = Date.now();
  let frame = 0;
  // 500ms, 1.5s, 30s, 1m30s: what was asked for, without rounding it away.
  const total = totalMs < 1000 ? `${totalMs}ms` : totalMs < 60_000 && totalMs % 1000 !== 0 ? `${totalMs / 1000}s` : formatAge(totalMs);
  const draw = (): void => {
    const elapsed = Math.min(Date.now() - started, totalMs);
    stream.write(`\r${FRAMES[frame++ % FRAMES.length]} [${formatAge(elapsed)}/${total}] ${what}\x1b[K`);
  };
  draw();
  const timer = setInterval(draw, EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      stream.write("\r\x1b[K");
    },
  };
}
