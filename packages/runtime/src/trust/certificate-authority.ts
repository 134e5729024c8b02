/**
 * A deployment's certificate authority: an ECDSA P-256 key made when the deployment starts, kept
 * in the deployer's memory only (never written anywhere), and a self-signed CA certificate. It
 * signs short-lived certificates for public keys that replicas make and send it; their private
 * keys never leave the replicas. A certificate of another deployment's CA is not trusted, since
 * each deployment has its own.
 */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { writeCertificate } from "./certificate.js";
import { identityUri, type Identity } from "./identity.js";

/** How long the CA certificate is valid: its key dies with the deployer process long before. */
const CA_LIFETIME_MS = 10 * 365 * 24 * 3_600_000;

/** How far back a certificate's validity starts, so that clocks slightly behind accept it at once. */
const BACKDATE_MS = 5 * 60_000;

/** A signed certificate and what to trust it by. */
export interface IssuedCertificate {
  /** The certificate (PEM). */
  readonly certificate: string;
  /** The CA's certificate (PEM), which peers verify it with. */
  readonly ca: string;
  /** When it expires, in ms since the epoch. */
  readonly notAfter: number;
}

/** What to sign. */
export interface IssueRequest {
  /** The holder's public key: a KeyObject, or PEM (SPKI). Only ECDSA P-256 keys are signed. */
  readonly publicKey: KeyObject | string;
  readonly identity: Identity;
  /** How long from now the certificate is valid. */
  readonly lifetimeMs: number;
  /**
   * When its validity starts; it then lasts `lifetimeMs` from there (tests issue certificates
   * that have already expired). Default: a few minutes ago, lasting `lifetimeMs` from now.
   */
  readonly notBefore?: Date;
}

/** Makes an ECDSA P-256 key pair, the kind every certificate here is for. */
export function generateKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" });
}

/** A certificate authority whose key lives in this process only. */
export class CertificateAuthority {
  /** The CA certificate (PEM). */
  readonly certificate: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #name: string;

  /**
   * Makes a new key and a self-signed certificate for it; `name` becomes its common name. With
   * `existing`, takes that CA instead (see fromPem).
   */
  constructor(name: string, existing?: { readonly certificate: string; readonly privateKey: KeyObject }) {
    if (existing !== undefined) {
      this.certificate = existing.certificate;
      this.#privateKey = existing.privateKey;
      this.#publicKey = createPublicKey(existing.privateKey);
      this.#name = name;
      return;
    }
    const { privateKey, publicKey } = generateKeyPair();
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    // Two CAs of the same name must differ in name too: peers find issuers by name first.
    this.#name = `${name} ${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    this.certificate = writeCertificate({
      subject: this.#name,
      issuer: this.#name,
      publicKey,
      signingKey: privateKey,
      issuerKey: publicKey,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + CA_LIFETIME_MS),
      ca: true,
    });
  }

  /**
   * A CA whose certificate and key were written elsewhere (exportPrivateKey), such as a Kubernetes
   * Secret that `weaver kube deploy` wrote; throws when they do not belong together.
   */
  static fromPem(certificate: string, privateKeyPem: string): CertificateAuthority {
    const x509 = new X509Certificate(certificate);
    const privateKey = createPrivateKey(privateKeyPem);
    if (!x509.checkPrivateKey(privateKey)) throw new Error("the CA's private key does not match its certificate");
    if (!x509.ca) throw new Error("the certificate is not a CA certificate");
    const name = /^CN=(.*)$/m.exec(x509.subject)?.[1];
    if (name === undefined) throw new Error("the CA certificate has no common name");
    return new CertificateAuthority(name, { certificate, privateKey });
  }

  /**
   * The CA's private key (PEM, PKCS#8), for a deployer that hands the CA to processes it does not
   * run; whoever holds it can sign any identity of the deployment.
   */
  exportPrivateKey(): string {
    return this.#privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  }

  /** Signs a certificate for a public key; throws when the key is not an ECDSA P-256 key. */
  issue(request: IssueRequest): IssuedCertificate {
    let key: KeyObject;
    try {
      key =
        typeof request.publicKey !== "string" && request.publicKey.type === "public"
          ? request.publicKey
          : createPublicKey(request.publicKey);
    } catch (e) {
      throw new Error(`cannot read the public key to sign: ${(e as Error).message}`);
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new Error(`only ECDSA P-256 keys are signed, not a ${key.asymmetricKeyType ?? "unknown"} key`);
    }
    if (!(request.lifetimeMs > 0)) throw new RangeError(`a certificate's lifetime must be positive, not ${request.lifetimeMs} ms`);
    const now = Date.now();
    const notBefore = request.notBefore ?? new Date(now - BACKDATE_MS);
    // Validity is written to the second: round up, so that the certificate lasts at least its lifetime.
    const notAfter = new Date(Math.ceil(((request.notBefore?.getTime() ?? now) + request.lifetimeMs) / 1000) * 1000);
    const uri = identityUri(request.identity);
    const certificate = writeCertificate({
      subject: `${request.identity.group} of ${request.identity.app}`,
      issuer: this.#name,
      publicKey: key,
      signingKey: this.#privateKey,
      issuerKey: this.#publicKey,
      notBefore,
      notAfter,
      ca: false,
      uris: [uri],
    });
    return { certificate, ca: this.certificate, notAfter: notAfter.getTime() };
  }
}
