/**
 * The Config card: every section of the deployment's config as TOML, as weaver.toml has it.
 * Secret references (`${env:NAME}`, `${file:path}`) are shown as written, never resolved; a plain
 * string under a key that names a secret (password, token, api_key, ...) is redacted, in case one
 * was written into the file despite the advice.
 */
import { REDACTED, isSecretRef } from "@weaver/runtime";
import { stringify } from "smol-toml";
import { empty, escapeHtml } from "../html.js";

const SECRET_KEY = /pass(word|wd)?$|secret|token|api_?key|credential|private_?key/i;

/** Renders the config sections of a status (from the file `file`). */
export function renderConfig(sections: Readonly<Record<string, unknown>>, file: string): string {
  const from = file === "" ? "The app runs without a config file." : `From ${file}.`;
  if (Object.keys(sections).length === 0) return empty(from);
  let text: string;
  try {
    text = stringify(redact(sections));
  } catch (e) {
    text = `# cannot be shown as TOML: ${(e as Error).message}\n${JSON.stringify(redact(sections), null, 2)}`;
  }
  return `<p class="muted">${escapeHtml(from)} Secret references are shown as written; values of secret-looking keys are redacted.</p>\n<pre class="config">${escapeHtml(text)}</pre>\n`;
}

/** A copy of `value` with the plain strings of secret-looking keys replaced by REDACTED. */
export function redact(value: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === "string") return SECRET_KEY.test(key) && !isSecretRef(v) ? REDACTED : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value, "") as Record<string, unknown>;
}
