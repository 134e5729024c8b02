/**
 * Writing X.509 v3 certificates (RFC 5280) with node:crypto: the to-be-signed part is encoded
 * with der.ts, signed with ECDSA over SHA-256 by the issuer's key, and returned as PEM. Only
 * what mutual TLS between replicas needs is written: a subject and issuer common name, a
 * validity, the subject's public key, basic constraints, key usage, extended key usage (server
 * and client), URI subject alternative names, and key identifiers to link a certificate to its CA.
 */
import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from "node:crypto";
import { bitString, boolean, explicit, implicit, integer, namedBits, octetString, oid, sequence, set, time, utf8String } from "./der.js";

/** What a certificate says, and who signs it. */
export interface CertificateFields {
  /** The subject's common name. */
  readonly subject: string;
  /** The issuer's common name (the subject's own for a self-signed certificate). */
  readonly issuer: string;
  /** The subject's public key. */
  readonly publicKey: KeyObject;
  /** The issuer's private key, which signs the certificate (ECDSA P-256). */
  readonly signingKey: KeyObject;
  /** The issuer's public key, for the authority key identifier (the subject's own when self-signed). */
  readonly issuerKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whether the certificate is a CA's (it may sign certificates), or an end entity's (TLS server and client). */
  readonly ca: boolean;
  /** URI subject alternative names, e.g. `weaver://app/version/group`. */
  readonly uris?: readonly string[];
}

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** KeyUsage bits (RFC 5280 4.2.1.3). */
const DIGITAL_SIGNATURE = 0;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

/** Writes and signs a certificate; returns it as PEM. */
export function writeCertificate(f: CertificateFields): string {
  if (f.notAfter.getTime() <= f.notBefore.getTime()) throw new RangeError("a certificate's notAfter must be after its notBefore");
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const extensions = [
    extension(OID.basicConstraints, true, f.ca ? sequence(boolean(true)) : sequence()),
    extension(OID.keyUsage, true, namedBits(f.ca ? [KEY_CERT_SIGN, CRL_SIGN] : [DIGITAL_SIGNATURE])),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(f.publicKey))),
    extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyIdentifier(f.issuerKey)))),
  ];
  if (!f.ca) extensions.push(extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))));
  if (f.uris !== undefined && f.uris.length > 0) {
    extensions.push(extension(OID.subjectAltName, false, sequence(...f.uris.map((u) => implicit(6, Buffer.from(u, "ascii"))))));
  }
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serialNumber()),
    algorithm,
    name(f.issuer),
    sequence(time(f.notBefore), time(f.notAfter)),
    name(f.subject),
    f.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign("sha256", tbs, f.signingKey); // DER-encoded ECDSA-Sig-Value
  return pem("CERTIFICATE", sequence(tbs, algorithm, bitString(signature)));
}

/** A Name of one common name. */
function name(commonName: string): Buffer {
  return sequence(set(sequence(oid(OID.commonName), utf8String(commonName))));
}

function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** 16 random bytes, positive and without a leading zero (RFC 5280 asks for at most 20). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40;
  return bytes;
}

/** The key identifier of RFC 5280 4.2.1.2 (1): SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(key: KeyObject): Buffer {
  const spki = (key.type === "public" ? key : createPublicKey(key)).export({ type: "spki", format: "der" });
  // An EC SubjectPublicKeyInfo ends with the BIT STRING of the point; its length is fixed per curve,
  // but reading it from the structure keeps this right for any key: skip the algorithm SEQUENCE.
  return createHash("sha1").update(subjectPublicKeyBits(spki)).digest();
}

/** The bits of a SubjectPublicKeyInfo's subjectPublicKey (after the BIT STRING's unused-bits byte). */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  let at = 0;
  const header = (): { content: number; end: number } => {
    const lengthByte = spki[at + 1] as number;
    let length = lengthByte;
    let content = at + 2;
    if (lengthByte & 0x80) {
      length = 0;
      for (let i = 0; i < (lengthByte & 0x7f); i++) length = length * 256 + (spki[content + i] as number);
      content += lengthByte & 0x7f;
    }
    return { content, end: content + length };
  };
  at = header().content; // into the outer SEQUENCE
  at = header().end; // past the AlgorithmIdentifier
  const bits = header();
  return spki.subarray(bits.content + 1, bits.end);
}

/** Wraps DER in PEM armour. */
export function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
