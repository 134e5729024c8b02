// Certificates written by our DER writer, as node:crypto parses them and as OpenSSL verifies them
// in real TLS handshakes on loopback (and with `openssl verify` when it is installed).
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { CertificateAuthority, generateKeyPair } from "./certificate-authority.js";
import { identityOf } from "./identity.js";

const identity = { app: "bank", version: "0123abcd", group: "bank.Teller" };

/** A key pair and a certificate for it, as TLS options. */
function holder(ca: CertificateAuthority, options: { lifetimeMs?: number; notBefore?: Date; group?: string } = {}) {
  const { privateKey, publicKey } = generateKeyPair();
  const issued = ca.issue({
    publicKey,
    identity: { ...identity, group: options.group ?? identity.group },
    lifetimeMs: options.lifetimeMs ?? 3_600_000,
    ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
  });
  return { cert: issued.certificate, key: privateKey.export({ type: "pkcs8", format: "pem" }) as string, notAfter: issued.notAfter };
}

/** Runs a mutual TLS handshake on loopback; resolves with what each side concluded. */
async function handshake(
  server: { cert: string; key: string; ca: string },
  client: { cert?: string; key?: string; ca: string },
): Promise<{ client: string; server: string }> {
  let serverSide!: (what: string) => void;
  const serverDone = new Promise<string>((resolve) => (serverSide = resolve));
  const srv = tls.createServer({ ...server, requestCert: true, rejectUnauthorized: false }, (s) => {
    serverSide(s.authorized ? `authorized ${identityOf(s.getPeerX509Certificate()!)?.group}` : `refused ${s.authorizationError}`);
    s.end();
  });
  srv.on("tlsClientError", (e: NodeJS.ErrnoException) => serverSide(`handshake failed ${e.code}`));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const clientSide = await new Promise<string>((resolve) => {
      const c = tls.connect({
        port: (srv.address() as AddressInfo).port,
        host: "127.0.0.1",
        ...client,
        checkServerIdentity: () => undefined,
      });
      c.once("secureConnect", () => resolve(`connected to ${identityOf(c.getPeerX509Certificate()!)?.group}`));
      c.once("error", (e: NodeJS.ErrnoException) => resolve(`failed ${e.code}`));
      c.resume();
    });
    return { client: clientSide, server: await serverDone };
  } finally {
    srv.close();
  }
}

describe("CertificateAuthority", () => {
  it("issues certificates that node:crypto reads as written: subject, issuer, identity, validity, usage", () => {
    const ca = new CertificateAuthority("weaver test");
    const issued = holder(ca, { lifetimeMs: 90_000 });
    const cert = new X509Certificate(issued.cert);
    const root = new X509Certificate(ca.certificate);
    expect(cert.subject).toBe("CN=bank.Teller of bank");
    expect(cert.issuer).toBe(root.subject);
    expect(root.subject).toMatch(/^CN=weaver test [0-9a-f]{8}$/);
    expect(cert.subjectAltName).toBe("URI:weaver://bank/0123abcd/bank.Teller");
    expect(identityOf(cert)).toEqual(identity);
    expect(cert.ca).toBe(false);
    expect(root.ca).toBe(true);
    expect(cert.checkIssued(root)).toBe(true);
    expect(cert.verify(root.publicKey)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    // Valid from a few minutes ago for 90 s from now, to the second.
    expect(Date.parse(cert.validTo)).toBe(issued.notAfter);
    expect(issued.notAfter - Date.now()).toBeGreaterThan(80_000);
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now() - 60_000);
    // Serial numbers differ; the other CA's signature does not verify.
    expect(new X509Certificate(holder(ca).cert).serialNumber).not.toBe(cert.serialNumber);
    expect(cert.verify(new X509Certificate(new CertificateAuthority("other").certificate).publicKey)).toBe(false);
  });

  it("signs only ECDSA P-256 keys, for a positive lifetime", () => {
    const ca = new CertificateAuthority("weaver test");
    const rsa = spawnSync(process.execPath, [
      "-e",
      "const {generateKeyPairSync}=require('crypto');process.stdout.write(generateKeyPairSync('rsa',{modulusLength:1024}).publicKey.export({type:'spki',format:'pem'}))",
    ]).stdout.toString();
    expect(() => ca.issue({ publicKey: rsa, identity, lifetimeMs: 1000 })).toThrow("only ECDSA P-256 keys are signed, not a rsa key");
    expect(() => ca.issue({ publicKey: "not a key", identity, lifetimeMs: 1000 })).toThrow(/^cannot read the public key to sign/);
    expect(() => ca.issue({ publicKey: generateKeyPair().publicKey, identity, lifetimeMs: 0 })).toThrow(RangeError);
  });

  it("makes certificates OpenSSL accepts in mutual TLS, and refuses expired ones and those of another CA", async () => {
    const ca = new CertificateAuthority("weaver test");
    const server = { ...holder(ca, { group: "bank.Ledger" }), ca: ca.certificate };
    expect(await handshake(server, { ...holder(ca), ca: ca.certificate })).toEqual({
      client: "connected to bank.Ledger",
      server: "authorized bank.Teller",
    });
    const expired = holder(ca, { notBefore: new Date(Date.now() - 7_200_000), lifetimeMs: 3_600_000 });
    expect((await handshake(server, { ...expired, ca: ca.certificate })).server).toBe("refused CERT_HAS_EXPIRED");
    const other = new CertificateAuthority("weaver test");
    expect((await handshake(server, { ...holder(other), ca: ca.certificate })).server).toBe("refused UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    // A client of the other CA does not trust this server either.
    expect((await handshake(server, { ...holder(other), ca: other.certificate })).client).toMatch(
      /^failed (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/,
    );
  });

  it("is read back from its exported PEMs and signs certificates the original's peers accept", async () => {
    const ca = new CertificateAuthority("weaver test");
    const copy = CertificateAuthority.fromPem(ca.certificate, ca.exportPrivateKey());
    expect(copy.certificate).toBe(ca.certificate);
    const server = { ...holder(ca, { group: "bank.Ledger" }), ca: ca.certificate };
    expect(await handshake(server, { ...holder(copy), ca: ca.certificate })).toEqual({
      client: "connected to bank.Ledger",
      server: "authorized bank.Teller",
    });
    const other = new CertificateAuthority("weaver test");
    expect(() => CertificateAuthority.fromPem(ca.certificate, other.exportPrivateKey())).toThrow(/does not match/);
    expect(() => CertificateAuthority.fromPem(holder(ca).cert, holder(ca).key)).toThrow();
  });

  it.skipIf(spawnSync("openssl", ["version"]).status !== 0)(
    "makes certificates `openssl verify` accepts for TLS servers and clients",
    () => {
      const dir = mkdtempSync(join(process.cwd(), ".tmp-certs-"));
      try {
        const ca = new CertificateAuthority("weaver test");
        writeFileSync(join(dir, "ca.pem"), ca.certificate);
        writeFileSync(join(dir, "leaf.pem"), holder(ca).cert);
        for (const purpose of ["sslserver", "sslclient"]) {
          const r = spawnSync("openssl", ["verify", "-CAfile", join(dir, "ca.pem"), "-purpose", purpose, join(dir, "leaf.pem")]);
          expect(r.stdout.toString() + r.stderr.toString()).toContain("leaf.pem: OK");
        }
        const parsed = spawnSync("openssl", ["asn1parse", "-in", join(dir, "leaf.pem")]);
        expect(parsed.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
