/**
 * The one redaction rule for config that leaves a process (a status server's GET /status, the
 * status tools, the dashboard's pages and JSON): every deployer and tool applies redactConfig, so
 * that a secret written into weaver.toml despite the advice is never shown, whichever way it is
 * read. The rule:
 *
 * - under a key that names a secret (password, passwd, secret, token, api_key, credentials,
 *   private_key, ...), every string and number is replaced by REDACTED, however deep, except
 *   secret references (`${env:NAME}`, `${file:PATH}`), which are shown as written since they
 *   hold no secret;
 * - anywhere, the password of a URL (`postgres://user:pw@db/x`) is replaced by REDACTED;
 * - in a list of command-line arguments (`[serviceweaver] args`), the value of a secret-looking
 *   flag (`--password=pw`, `--token pw`) is replaced by REDACTED.
 *
 * Booleans and key names stay, so that the shape of the config remains readable. Redacting is
 * idempotent: redacting a redacted config changes nothing.
 */
import { isSecretRef } from "./secrets.js";

/** What stands in for a value that is not shown. */
export const REDACTED = "<redacted>";

/** Key names (or parts of them) that announce a secret. */
const SECRET_KEY =
  /passw(or)?d|passphrase|pass$|pwd$|secret|token|api[_-]?key|credential|private[_-]?key|(access|signing|encryption|master|session)[_-]?key|^auth$|authorization|cookie/i;

/** The password part of a URL's userinfo: `scheme://user:password@`. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)([^/\s@]+)(@)/gi;

/** A command-line flag, with its value when written as `--flag=value`. */
const FLAG = /^(--?)([A-Za-z0-9_.-]+)(=(.*))?$/s;

/** Tells whether a config key's name announces a secret (password, token, api_key, ...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A copy of a config value (a section, or all of them) with its secrets replaced by REDACTED. */
export function redactConfig<T>(value: T): T {
  return walk(value, false) as T;
}

/** A copy of command-line arguments with the values of secret-looking flags replaced by REDACTED. */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of args) {
    const flag = FLAG.exec(arg);
    if (hideNext && flag === null) {
      out.push(isSecretRef(arg) ? arg : REDACTED);
    } else if (flag !== null && isSecretKey(flag[2] as string) && flag[4] !== undefined) {
      out.push(isSecretRef(flag[4]) ? arg : `${flag[1]}${flag[2]}=${REDACTED}`);
    } else {
      out.push(redactUrls(arg));
    }
    hideNext = flag !== null && flag[4] === undefined && isSecretKey(flag[2] as string);
  }
  return out;
}

function walk(v: unknown, secret: boolean): unknown {
  if (typeof v === "string") return isSecretRef(v) ? v : secret ? REDACTED : redactUrls(v);
  if (typeof v === "number" || typeof v === "bigint") return secret ? REDACTED : v;
  if (Array.isArray(v)) return v.map((x) => walk(x, secret));
  if (v instanceof Date) return secret ? REDACTED : v;
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // defineProperty: a key such as "__proto__" stays an own key instead of setting the prototype.
      Object.defineProperty(out, k, { value: walk(x, secret || isSecretKey(k)), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

function redactUrls(s: string): string {
  return s.includes("://") ? s.replace(URL_PASSWORD, `$1${REDACTED}$3`) : s;
}
