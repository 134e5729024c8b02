/**
 * The banner every deployment prints first (Service Weaver's "rolodex"):
 *
 *   ╭───────────────────────────────────────────────────╮
 *   │ app        : hello                                │
 *   │ deployment : ca0fcdf2-d9bc-456b-a668-159688e3cca5 │
 *   ╰───────────────────────────────────────────────────╯
 */
import { colorFor, sgr } from "./terminal.js";

/** Renders the banner; with colour, the deployment id is coloured and its first 8 characters underlined. */
export function banner(app: string, deployment: string, color = false): string {
  const rows: [string, string][] = [
    ["app        :", app],
    ["deployment :", deployment],
  ];
  const valueWidth = Math.max(...rows.map(([, v]) => v.length));
  const width = valueWidth + "app        :".length + 5;
  const line = "─".repeat(width - 2);
  const out = [`╭${line}╮`];
  for (const [key, value] of rows) {
    const pad = " ".repeat(valueWidth - value.length);
    let shown = value;
    if (color && key.startsWith("deployment")) {
      const c = colorFor(value);
      shown = sgr(c, `\x1b[4m${value.slice(0, 8)}\x1b[24m${value.slice(8)}`);
    }
    out.push(`│ ${key} ${shown}${pad} │`);
  }
  out.push(`╰${line}╯`);
  return out.join("\n") + "\n";
}
