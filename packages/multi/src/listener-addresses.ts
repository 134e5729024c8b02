/**
 * The addresses of the listener proxies (`[multi] listeners.<name>.address`): the check that no two
 * listeners are given one port, run with the config's other checks before anything starts, and
 * the one-line error that says why a proxy cannot listen where the config puts it, and the fix.
 */
import { formatAddress, parseAddress, runtimeError, type Address, type ListenerConfig, type WeaverError } from "@weaver/runtime";

/** Hosts that listen on every interface: they take the port on every address. */
const EVERY_INTERFACE = new Set(["", "0.0.0.0", "::"]);

/** Whether two addresses need the same port of the same interface. */
function clash(a: Address, b: Address): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  const [x, y] = [a.host.toLowerCase(), b.host.toLowerCase()];
  return x === y || EVERY_INTERFACE.has(x) || EVERY_INTERFACE.has(y);
}

/**
 * The problems of listeners given the same port (on the same host, or one of them on every
 * interface), as `listeners.<name>.address: ...; fix`, each named at the later listener. Addresses
 * that do not parse are left to the loader, which reports them.
 */
export function sharedPortProblems(listeners: Readonly<Record<string, ListenerConfig>>): string[] {
  const problems: string[] = [];
  const seen: { name: string; text: string; address: Address }[] = [];
  for (const [name, options] of Object.entries(listeners)) {
    const text = options?.address;
    const address = text === undefined ? undefined : parseAddress(text);
    if (text === undefined || address === undefined || typeof address === "string") continue;
    const other = seen.find((s) => clash(s.address, address));
    if (other !== undefined) {
      problems.push(
        `listeners.${name}.address: "${text}" takes the same port as listener ${other.name} ("${other.text}"); two listeners cannot share a port: give ${name} another one (":0" picks a free port)`,
      );
    }
    seen.push({ name, text, address });
  }
  return problems;
}

/** Where a proxy was asked to listen. */
export interface ListenTarget {
  /** The config file (absolute), named in the error. */
  readonly file: string;
  /** The listener's name. */
  readonly listener: string;
  /** The address as the config gives it, or undefined when it gives none (a free port). */
  readonly configured: string | undefined;
  /** The listener of this deployment already bound to that port, if any. */
  readonly holder?: string;
}

/**
 * The error of a proxy that cannot listen: the config file, the listener's key, the address, what
 * went wrong and how to fix it, in one line (WEAVER_ERR_CONFIG_LISTENER).
 */
export function listenError(target: ListenTarget, e: unknown): WeaverError {
  const { file, listener, configured } = target;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (configured === undefined) {
    const why = e instanceof Error ? e.message : String(e);
    return runtimeError(
      "WEAVER_ERR_CONFIG_LISTENER",
      `listener ${listener} cannot listen on a free port: ${why}; give it an address in [multi] listeners.${listener}.address in ${file}`,
      e,
    );
  }
  const address = parseAddress(configured) as Address;
  const other = `give ${listener} another port (":0" picks a free one)`;
  const local = `use an IP address of this machine (127.0.0.1 for this machine only), or leave the host out (":${address.port}") to listen on every interface`;
  let why: string;
  switch (code) {
    case "EADDRINUSE":
      why =
        target.holder !== undefined
          ? `listener ${target.holder} of this app listens there already; ${other}`
          : `the address is already in use; stop the program that listens there (\`lsof -i :${address.port}\` shows it) or ${other}`;
      break;
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_FAIL":
    case "ENODATA":
      why = `host ${address.host} does not resolve; correct the host name, or ${local}`;
      break;
    case "EAI_AGAIN":
      why = `host ${address.host} cannot be resolved now (the DNS server did not answer); try again, or ${local}`;
      break;
    case "EADDRNOTAVAIL":
      why = `${address.host} is not an address of this machine; ${local}`;
      break;
    case "EACCES":
      why =
        address.port < 1024
          ? `permission denied: ports below 1024 need privileges; use a port from 1024 up`
          : `permission denied; ${other}`;
      break;
    default:
      why = `${e instanceof Error ? e.message : String(e)}; ${other}`;
  }
  const where = formatAddress(address.host, address.port);
  return runtimeError("WEAVER_ERR_CONFIG_LISTENER", `${file}: [multi] listeners.${listener}.address: cannot listen on ${where}: ${why}`, e);
}
