/**
 * Mutual TLS, the deployer's side: the deployment's certificate authority, which signs the keys
 * its replicas send over the control channel (CONTROL_SIGN in deployer-protocol.ts), each for
 * the group of the replica that asks and for a short time; and the deployer's own rotating
 * certificate, with which it calls its replicas' reserved methods (health, metrics, spans,
 * profiles). A deployer creates one per deployment, and what it needs to tell replicas is
 * mtlsArgs().
 */
import type { ClientTls } from "@weaver/rpc";
import { callGraphOf } from "../generated/call-graph.js";
import type { Manifest } from "../generated/manifest.js";
import type { SignReply } from "../replica/deployer-protocol.js";
import type { MtlsArgs } from "../replica/replica-args.js";
import { CertificateAuthority } from "./certificate-authority.js";
import { Credentials } from "./credentials.js";
import { DEPLOYER_GROUP } from "./identity.js";

/** The default lifetime of a certificate: an hour, renewed after 40 minutes. */
export const DEFAULT_CERTIFICATE_LIFETIME_MS = 3_600_000;

/** Options of a deployment's trust. */
export interface DeploymentTrustOptions {
  readonly manifest: Manifest;
  readonly deployment: string;
  /** The group hosting each component (full name); every component must have one. */
  readonly groups: Readonly<Record<string, string>>;
  /** How long each certificate is valid (default DEFAULT_CERTIFICATE_LIFETIME_MS). */
  readonly certificateLifetimeMs?: number;
  /** Told of the deployer's own renewals that fail. */
  readonly warn?: (message: string) => void;
  /** The CA to sign with (default: a new one, whose key lives in this process only). */
  readonly authority?: CertificateAuthority;
}

/** A deployment's CA and the deployer's own credentials. */
export class DeploymentTrust {
  readonly #options: DeploymentTrustOptions;
  readonly #ca: CertificateAuthority;
  readonly #credentials: Credentials;
  readonly #groups: ReadonlySet<string>;
  /** Certificates signed so far, the deployer's own included. */
  signed = 0;

  constructor(options: DeploymentTrustOptions) {
    const missing = callGraphOf(options.manifest).components.filter((c) => options.groups[c.name] === undefined);
    if (missing.length > 0)
      throw new Error(`every component needs a group for mutual TLS; ${missing.map((c) => c.name).join(", ")} has none`);
    this.#options = options;
    this.#groups = new Set(Object.values(options.groups));
    this.#ca = options.authority ?? new CertificateAuthority(`weaver ${options.manifest.app} deployment ${options.deployment.slice(0, 8)}`);
    this.#credentials = new Credentials({
      app: options.manifest.app,
      version: options.manifest.versionHash,
      sign: async (publicKey) => this.#issue(publicKey, DEPLOYER_GROUP),
      warn: options.warn ?? (() => {}),
    });
  }

  /** Makes the deployer's own first certificate; call before any replica is called. */
  async start(): Promise<void> {
    await this.#credentials.start();
  }

  /** The deployment's CA certificate (PEM). */
  get caCertificate(): string {
    return this.#ca.certificate;
  }

  /** What replicas are told (ReplicaArgs.mtls). */
  mtlsArgs(): MtlsArgs {
    return { groups: { ...this.#options.groups } };
  }

  /** Signs a replica's public key (PEM) for its group; throws for a group the deployment does not have. */
  sign(publicKey: string, group: string): SignReply {
    if (!this.#groups.has(group)) throw new Error(`the deployment has no group ${group} to sign a certificate for`);
    return this.#issue(publicKey, group);
  }

  /** TLS for the deployer's calls to a replica of `group`, asked at each new connection. */
  clientTls(group: string): () => ClientTls {
    return this.#credentials.clientTls(group);
  }

  /** Stops renewing the deployer's certificate. */
  close(): void {
    this.#credentials.close();
  }

  #issue(publicKey: string, group: string): SignReply {
    const { manifest } = this.#options;
    const issued = this.#ca.issue({
      publicKey,
      identity: { app: manifest.app, version: manifest.versionHash, group },
      lifetimeMs: this.#options.certificateLifetimeMs ?? DEFAULT_CERTIFICATE_LIFETIME_MS,
    });
    this.signed++;
    return { certificate: issued.certificate, ca: issued.ca, notAfter: issued.notAfter };
  }
}
