/**
 * The Config card: every section of the deployment's config as TOML, as weaver.toml has it,
 * redacted by the one rule of @weaver/runtime (redactConfig): secret references (`${env:NAME}`,
 * `${file:path}`) are shown as written, never resolved; the values of keys that name a secret
 * (password, token, api_key, ...) and URL passwords are hidden, in case one was written into the
 * file despite the advice. The status server redacted them already; redacting again is harmless.
 */
import { redactConfig } from "@weaver/runtime";
import { stringify } from "smol-toml";
import { empty, escapeHtml } from "../html.js";

/** Renders the config sections of a status (from the file `file`). */
export function renderConfig(sections: Readonly<Record<string, unknown>>, file: string): string {
  const from = file === "" ? "The app runs without a config file." : `From ${file}.`;
  if (Object.keys(sections).length === 0) return empty(from);
  let text: string;
  try {
    text = stringify(redactConfig(sections));
  } catch (e) {
    text = `# cannot be shown as TOML: ${(e as Error).message}\n${JSON.stringify(redactConfig(sections), null, 2)}`;
  }
  return `<p class="muted">${escapeHtml(from)} Secret references are shown as written; values of secret-looking keys are redacted.</p>\n<pre class="config">${escapeHtml(text)}</pre>\n`;
}
