/**
 * Binding a deployment's listeners where the config puts them ([multi] listeners.<name>.address):
 * as sockets the replicas share and accept on themselves (shared-listener.ts); behind a manager's
 * front, which splits traffic between versions (front.ts), the shared socket is on a free loopback
 * port that the front connects to. Where Node cannot share sockets with child processes, a TCP
 * proxy per listener (proxy.ts) takes the socket's place. Every listener is checked before any is
 * given to replicas, so an address the deployment cannot have fails it with nothing started.
 */
import { type AppConfig, listenerAddress, parseAddress, type Address, type Manifest } from "@weaver/runtime";
import { DEPLOYER } from "./deployer-name.js";
import { listenError } from "./listener-addresses.js";
import { ListenerProxy } from "./proxy.js";
import { SharedListener } from "./shared-listener.js";

/** What binding needs of the deployment's options. */
export interface BindingOptions {
  readonly config: AppConfig;
  readonly manifest: Manifest;
  /** The manager's front of each listener (see DeploymentOptions.front). */
  readonly front?: (listener: string, configured: string | undefined) => Promise<string>;
}

/**
 * Binds every listener of the app; fills `shown` (the addresses clients use) and `internal` (where
 * each socket or proxy listens). Rejects with a WEAVER_ERR_CONFIG_LISTENER error for the first
 * that cannot listen, having closed every one it bound.
 */
export async function bindListeners(
  o: BindingOptions,
  shown: Record<string, string>,
  internal: Record<string, string>,
): Promise<Map<string, SharedListener | ListenerProxy>> {
  const { config, manifest, front } = o;
  const share = SharedListener.supported;
  const bound = new Map<string, SharedListener | ListenerProxy>();
  try {
    for (const name of new Set(manifest.components.flatMap((c) => c.listeners.map((l) => l.name)))) {
      const configured = listenerAddress(config, DEPLOYER, name);
      try {
        const l = share ? new SharedListener(name) : new ListenerProxy(name);
        bound.set(name, l);
        // Both return the address to show: a shared socket is checked here and bound below.
        const open = (address: string): Promise<string> => (l instanceof SharedListener ? l.check(address) : l.listen(address));
        if (front === undefined) shown[name] = internal[name] = await open(configured ?? ":0");
        else {
          internal[name] = await open("127.0.0.1:0");
          shown[name] = await front(name, configured);
        }
      } catch (e) {
        throw listenError({ file: config.file, listener: name, configured, holder: holder(shown, configured) }, e);
      }
    }
    for (const l of bound.values()) if (l instanceof SharedListener) await l.bind();
  } catch (e) {
    // Leave no port taken, even for a caller that does not call stop().
    await Promise.all([...bound.values()].map((l) => l.close()));
    throw e;
  }
  return bound;
}

/** The file descriptors of the shared sockets of the listeners that `components` own, by listener name. */
export function sharedFds(
  manifest: Manifest,
  components: readonly string[],
  shared: ReadonlyMap<string, SharedListener>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of manifest.components) {
    if (!components.includes(c.name)) continue;
    for (const l of c.listeners) {
      const s = shared.get(l.name);
      if (s !== undefined) out[l.name] = s.fd;
    }
  }
  return out;
}

/** The listener already bound to the port of `address` (another host name of the same interface). */
function holder(shown: Readonly<Record<string, string>>, address: string | undefined): string | undefined {
  const wanted = address === undefined ? undefined : parseAddress(address);
  if (wanted === undefined || typeof wanted === "string" || wanted.port === 0) return undefined;
  return Object.entries(shown).find(([, s]) => (parseAddress(s) as Address).port === wanted.port)?.[0];
}
