/** Listener addresses: `host:port`, `:port` or `[v6]:port`. */

/** A parsed listener address. */
export interface Address {
  /** Host name or IP; "" means every interface. */
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`; returns an error message instead when the text is not an address. */
export function parseAddress(text: string): Address | string {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (m === null) return `"${text}" is not an address of the form host:port (e.g. "localhost:8080" or ":0")`;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} in "${text}" is larger than 65535`;
  return { host: m[1] ?? m[2] ?? "", port };
}

/** Formats a bound address the way Go does: IPv6 hosts in brackets, `[::]:port` for any. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
