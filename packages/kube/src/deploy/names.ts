/**
 * The names of a version's objects (see kube-contract in wiring.ts): every name that could pass a
 * DNS limit is shortened deterministically, keeping a prefix and adding a hash of the whole, so
 * that two deploys of the same app name the same things the same way.
 */
import { createHash } from "node:crypto";

/** The first `n` hex digits of the sha256 of `text`. */
function hash(text: string, n: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, n);
}

/**
 * `text` as a DNS-1123 label: lowercase, runs of other characters as one '-', no '-' at either
 * end, at most `max` characters (longer ones keep a prefix and end with a hash of the whole).
 */
export function dnsLabel(text: string, max = 63): string {
  const clean = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const base = clean === "" ? "x" : clean;
  if (base.length <= max) return base;
  const suffix = hash(text, 6);
  return `${base.slice(0, max - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

/** `text` as a DNS-1035 label (a Service name): a DNS label that starts with a letter. */
export function serviceLabel(text: string): string {
  const label = dnsLabel(text);
  return /^[a-z]/.test(label) ? label : dnsLabel(`s-${label}`);
}

/** The name `<parts...>-<version>` of a version's object, shortened to 63 characters keeping the version. */
export function versionedName(parts: readonly string[], version: string): string {
  return `${dnsLabel(parts.join("-"), 63 - version.length - 1)}-${version}`;
}

/**
 * A container port name for a listener: an IANA service name (at most 15 characters, a letter
 * among them, no "--"), distinct from the names in `taken`.
 */
export function portName(listener: string, taken: ReadonlySet<string>): string {
  const clean = dnsLabel(listener, 63).replace(/-+/g, "-");
  let name = /[a-z]/.test(clean) && clean.length <= 15 ? clean : `l-${clean}`;
  if (name.length > 15 || taken.has(name)) name = `${name.slice(0, 10).replace(/-+$/, "")}-${hash(listener, 4)}`;
  return name;
}

/** The DNS labels of the groups, in order, made distinct where two names would collide. */
export function groupLabels(names: readonly string[]): string[] {
  const labels: string[] = [];
  for (const name of names) {
    let label = dnsLabel(name, 40);
    if (labels.includes(label)) label = dnsLabel(`${label}-${hash(name, 6)}`, 40);
    labels.push(label);
  }
  return labels;
}
