/**
 * A holder's rotating TLS credentials: a replica's (its certificate signed by the deployer over
 * the control channel) or the deployer's own (signed by its CA directly). Each certificate is
 * for a new ECDSA P-256 key made here; the private key never leaves this process.
 *
 * Rotation: at RENEW_AT of a certificate's life, a new key is made and signed; the server is
 * told (onRenew) and takes it for new connections, and clients take it for their next new
 * connection (clientTls() is asked at each), while connections already up keep the certificate
 * they were made with, so no call is dropped. A renewal that fails is retried, more often as
 * the expiry nears; until then the old certificate stays in use.
 */
import type { ClientTls, ServerTls } from "@weaver/rpc";
import type { X509Certificate } from "node:crypto";
import type { SignReply } from "../replica/deployer-protocol.js";
import { generateKeyPair } from "./certificate-authority.js";
import { identityOf } from "./identity.js";

/** The fraction of a certificate's life after which it is renewed. */
export const RENEW_AT = 2 / 3;

/** The longest wait between two attempts of a renewal that fails. */
const RETRY_MAX_MS = 5_000;

/** What a holder's credentials need. */
export interface CredentialsOptions {
  /** The app and its version hash, which the certificates of peers must name. */
  readonly app: string;
  readonly version: string;
  /** Has a public key (PEM) signed, by `deadline` (ms since the epoch). */
  readonly sign: (publicKey: string, deadline: number) => Promise<SignReply>;
  /** Told of renewals that fail (the old certificate stays in use until it expires). */
  readonly warn: (message: string) => void;
  /** Told of each new certificate. */
  readonly debug?: (message: string) => void;
}

/** The certificate in use, its key, and the CA to verify peers with. */
interface Current {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly notAfter: number;
}

/** Credentials that renew themselves until closed. */
export class Credentials {
  readonly #options: CredentialsOptions;
  #current: Current | undefined;
  readonly #listeners: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Certificates obtained so far (the first one included). */
  renewals = 0;

  constructor(options: CredentialsOptions) {
    this.#options = options;
  }

  /** Gets the first certificate; rejects when it cannot be signed within `timeoutMs`. */
  async start(timeoutMs = 30_000): Promise<void> {
    await this.#obtain(Date.now() + timeoutMs);
  }

  /** When the certificate in use expires (ms since the epoch), or undefined before start(). */
  get notAfter(): number | undefined {
    return this.#current?.notAfter;
  }

  /** Calls `listener` after each renewal (not after the first certificate). */
  onRenew(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** The server side: the current certificate, requiring clients of the same CA that `identify` accepts. */
  serverTls(identify: (certificate: X509Certificate) => string): ServerTls {
    const c = this.#require();
    return { cert: c.cert, key: c.key, ca: c.ca, identify };
  }

  /**
   * The client side, asked at each new connection: the current certificate, and a check that the
   * server's certificate is of this app and version, and of `group`.
   */
  clientTls(group: string): () => ClientTls {
    const { app, version } = this.#options;
    const checkServer = (certificate: X509Certificate): Error | undefined => {
      const id = identityOf(certificate);
      if (id === undefined) return new Error("the replica's certificate carries no weaver:// identity");
      if (id.app !== app || id.version !== version) {
        return new Error(`the replica's certificate is of version ${id.version} of app ${id.app}, not of version ${version} of ${app}`);
      }
      if (id.group !== group)
        return new Error(`the replica's certificate is of group ${id.group}, not of ${group}, which was to be called`);
      return undefined;
    };
    return () => {
      const c = this.#current;
      // Before the first certificate a connection goes out without one, and the server says so.
      return c === undefined ? { ca: [], checkServer } : { cert: c.cert, key: c.key, ca: c.ca, checkServer };
    };
  }

  /** Stops renewing. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #require(): Current {
    if (this.#current === undefined) throw new Error("the credentials have no certificate yet: await start() first");
    return this.#current;
  }

  /** Makes a key, has it signed, takes the certificate, and schedules its renewal. */
  async #obtain(deadline: number): Promise<void> {
    const { privateKey, publicKey } = generateKeyPair();
    const reply = await this.#options.sign(publicKey.export({ type: "spki", format: "pem" }) as string, deadline);
    if (this.#closed) return;
    const first = this.#current === undefined;
    this.#current = {
      cert: reply.certificate,
      key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      ca: reply.ca,
      notAfter: reply.notAfter,
    };
    this.renewals++;
    this.#options.debug?.(`new certificate, valid until ${new Date(reply.notAfter).toISOString()}`);
    const now = Date.now();
    this.#schedule(now + Math.max(0, reply.notAfter - now) * RENEW_AT);
    if (!first) for (const listener of this.#listeners) listener();
  }

  #schedule(at: number): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#renew(), Math.max(0, at - Date.now()));
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    const expiry = this.#current?.notAfter ?? Date.now();
    try {
      await this.#obtain(Math.max(expiry, Date.now() + 1_000));
    } catch (e) {
      if (this.#closed) return;
      const left = expiry - Date.now();
      this.#options.warn(
        left > 0
          ? `could not renew the TLS certificate (${(e as Error).message}); it expires in ${Math.round(left / 1000)} s, trying again`
          : `could not renew the TLS certificate (${(e as Error).message}); it has expired, so peers refuse this process until a renewal succeeds`,
      );
      this.#schedule(Date.now() + Math.min(RETRY_MAX_MS, Math.max(100, left / 4)));
    }
  }
}
