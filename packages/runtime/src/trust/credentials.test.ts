// Rotating credentials: a new key and certificate before each expires, told to the server; a
// renewal that fails is retried and said; clients check the server's identity.
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { SignReply } from "../replica/deployer-protocol.js";
import { CertificateAuthority, generateKeyPair } from "./certificate-authority.js";
import { Credentials } from "./credentials.js";
import { identityOf } from "./identity.js";

const ca = new CertificateAuthority("test");
const signer =
  (lifetimeMs: number, group = "bank.Teller") =>
  async (publicKey: string): Promise<SignReply> =>
    ca.issue({ publicKey, identity: { app: "bank", version: "v1", group }, lifetimeMs });

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
};

describe("Credentials", () => {
  it("gets a certificate for a key of its own, and renews it with a new key before it expires", { timeout: 20_000 }, async () => {
    const credentials = new Credentials({ app: "bank", version: "v1", sign: signer(1_500), warn: () => {} });
    let renewed = 0;
    credentials.onRenew(() => renewed++);
    await credentials.start();
    try {
      const first = credentials.serverTls(() => "x");
      expect(identityOf(new X509Certificate(first.cert))?.group).toBe("bank.Teller");
      expect(first.ca).toBe(ca.certificate);
      // Certificates last 1.5 s (up to 2 s as written: validity is to the second) and are renewed at two thirds.
      await until(() => renewed >= 2);
      const now = credentials.serverTls(() => "x");
      expect(now.cert).not.toBe(first.cert);
      expect(now.key).not.toBe(first.key);
      expect(credentials.renewals).toBe(renewed + 1);
      expect(credentials.notAfter).toBeGreaterThan(Date.now());
    } finally {
      credentials.close();
    }
  });

  it("says when a renewal fails and tries again until one succeeds", { timeout: 20_000 }, async () => {
    let failing = false;
    const warnings: string[] = [];
    const sign = signer(1_500);
    const credentials = new Credentials({
      app: "bank",
      version: "v1",
      sign: async (key) => {
        if (failing) throw new Error("the deployer is busy");
        return sign(key);
      },
      warn: (m) => warnings.push(m),
    });
    let renewed = 0;
    credentials.onRenew(() => renewed++);
    await credentials.start();
    try {
      failing = true;
      await until(() => warnings.length >= 2);
      expect(warnings[0]).toMatch(
        /^could not renew the TLS certificate \(the deployer is busy\); it (expires in \d+ s, trying again|has expired)/,
      );
      expect(renewed).toBe(0);
      failing = false;
      await until(() => renewed >= 1);
    } finally {
      credentials.close();
    }
  });

  it("gives clients a check that the server is of this app, version and the expected group", async () => {
    const credentials = new Credentials({ app: "bank", version: "v1", sign: signer(60_000), warn: () => {} });
    await credentials.start();
    credentials.close();
    const check = credentials.clientTls("bank.Ledger")().checkServer!;
    const cert = (version: string, group: string): X509Certificate =>
      new X509Certificate(
        ca.issue({ publicKey: generateKeyPair().publicKey, identity: { app: "bank", version, group }, lifetimeMs: 60_000 }).certificate,
      );
    expect(check(cert("v1", "bank.Ledger"))).toBeUndefined();
    expect(check(cert("v1", "bank.Audit"))?.message).toBe(
      "the replica's certificate is of group bank.Audit, not of bank.Ledger, which was to be called",
    );
    expect(check(cert("v2", "bank.Ledger"))?.message).toBe(
      "the replica's certificate is of version v2 of app bank, not of version v1 of bank",
    );
  });
});
