/**
 * Whether replicas use mutual TLS when a deployer's config does not say: a property of the
 * transport their RPC runs on, so that every deployer gets the same default for the same
 * transport. A Unix socket in a folder only the user can enter (privateSocketDir) admits only
 * the user's own processes, which could read the deployer's memory anyway: no mutual TLS by
 * default. TCP admits anyone who can reach the port: mutual TLS by default.
 */
import { parseEndpoint } from "@weaver/rpc";

/**
 * Whether replicas serving on `endpoint` (`unix:<path>` or `tcp:<host>:<port>`, as
 * ReplicaArgs.listen) use mutual TLS unless configured otherwise: false for Unix sockets, true
 * for TCP.
 */
export function mtlsByDefault(endpoint: string): boolean {
  const address = parseEndpoint(endpoint);
  if (address === undefined) throw new Error(`${endpoint} is not unix:<path> or tcp:<host>:<port>`);
  return !("path" in address);
}
