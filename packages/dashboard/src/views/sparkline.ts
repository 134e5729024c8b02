/**
 * A small inline chart of a row's recent samples: an SVG polyline over the last HISTORY_MS, drawn
 * on the server (no script, no library), its colour from the stylesheet (never the red of errors).
 */
import { escapeHtml } from "../html.js";
import { HISTORY_MS, type Sample } from "../metric-totals.js";

const WIDTH = 120;
const HEIGHT = 22;
/** Room at the top and bottom, so that a flat line at the minimum or maximum stays visible. */
const PAD = 2;

/** The chart of `samples` over the HISTORY_MS before `now`; a dash when there are fewer than two. */
export function sparkline(samples: readonly Sample[], now: number, title: string): string {
  if (samples.length < 2) return `<span class="muted" title="The chart fills in while this page is open">…</span>`;
  const values = samples.map((s) => s.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  const x = (at: number): number => WIDTH * (1 - (now - at) / HISTORY_MS);
  // A flat series sits in the middle: its level is in the number beside it.
  const y = (v: number): number => (span === 0 ? HEIGHT / 2 : PAD + (HEIGHT - 2 * PAD) * (1 - (v - min) / span));
  const points = samples.map((s) => `${x(s.at).toFixed(1)},${y(s.value).toFixed(1)}`).join(" ");
  return (
    `<svg class="spark" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title><polyline points="${points}"/></svg>`
  );
}
