/**
 * The syntax of the values kube.yaml and the manifests carry, as the API server and container
 * registries check them: DNS-1123 and DNS-1035 labels, image references, resource quantities and
 * platforms. Each check returns what is wrong (a phrase) or undefined.
 */

/** A DNS-1123 label: what namespaces, label values of names and most object names must be. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1035 label: what Service names must be (a letter first). */
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: dot-separated labels, up to 253 characters. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What is wrong with `value` as a DNS-1123 label, if anything. */
export function dnsLabelProblem(value: string): string | undefined {
  if (value.length > 63) return `is ${value.length} characters long; a DNS label has at most 63`;
  if (!DNS1123_LABEL.test(value))
    return "is not a DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit)";
  return undefined;
}

/** What is wrong with `value` as a Service name (a DNS-1035 label), if anything. */
export function serviceNameProblem(value: string): string | undefined {
  if (value.length > 63) return `is ${value.length} characters long; a Service name has at most 63`;
  if (!DNS1035_LABEL.test(value)) return "is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter)";
  return undefined;
}

/** What is wrong with `value` as a DNS-1123 subdomain (most object names), if anything. */
export function subdomainProblem(value: string): string | undefined {
  if (value.length > 253) return `is ${value.length} characters long; a name has at most 253`;
  if (!DNS1123_SUBDOMAIN.test(value)) return "is not a DNS subdomain (lowercase letters, digits, '-' and '.')";
  return undefined;
}

// The grammar of github.com/distribution/reference: [domain[:port]/]path[:tag][@digest].
const DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::[0-9]+)?)`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
);

/** What is wrong with `value` as an image reference, if anything. */
export function imageProblem(value: string): string | undefined {
  const m = IMAGE.exec(value);
  const hint = "give [registry[:port]/]path[:tag][@sha256:<64 hex digits>] with lowercase path components, e.g. ghcr.io/me/reverser:v1";
  if (m === null) return `is not an image reference; ${hint}`;
  const name = (m[1] === undefined ? "" : `${m[1]}/`) + (m[2] as string);
  if (name.length > 255) return `has a ${name.length}-character name; an image name has at most 255`;
  return undefined;
}

/** The CPU architectures a node can have (kubernetes.io/arch). */
export const ARCHITECTURES = ["amd64", "arm64", "arm", "ppc64le", "s390x"] as const;

/** What is wrong with `value` as a platform (os/arch), if anything. */
export function platformProblem(value: string): string | undefined {
  const [os, arch, ...rest] = value.split("/");
  if (os !== "linux" || arch === undefined || rest.length > 0 || !(ARCHITECTURES as readonly string[]).includes(arch))
    return `is not a platform; give linux/<arch> with arch one of ${ARCHITECTURES.join(", ")} (the nodes' CPU, e.g. linux/arm64)`;
  return undefined;
}

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const SUFFIX: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a Kubernetes quantity ("100m" is 0.1, "128Mi" is 134217728), or undefined when it does not parse. */
export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text);
  if (m === null) return undefined;
  const suffix = m[2] ?? "";
  const scale = suffix === "" ? 1 : (SUFFIX[suffix] ?? 10 ** Number(suffix.slice(1)));
  return Number(m[1]) * scale;
}

/** What is wrong with `value` as a non-negative resource quantity, if anything. */
export function quantityProblem(value: string, resource: string): string | undefined {
  const n = parseQuantity(value);
  const example = resource === "cpu" ? 'e.g. "250m" or "0.5" (cores)' : 'e.g. "128Mi" or "1G" (bytes)';
  if (n === undefined) return `"${value}" is not a quantity; give a number with an optional suffix, ${example}`;
  if (n < 0) return `"${value}" is negative; ${example}`;
  return undefined;
}
