// Which caller may call what under mutual TLS: the call graph per group, the deployer's reserved methods.
import { ByteRange, RpcSystemError, SystemCode, type CallInfo, type Handler } from "@weaver/rpc";
import { describe, expect, it } from "vitest";
import type { ComponentManifest, Manifest } from "../generated/manifest.js";
import { CODEGEN_VERSION } from "../version.js";
import { callerPolicy } from "./authorization.js";
import { CertificateAuthority, generateKeyPair } from "./certificate-authority.js";
import { X509Certificate } from "node:crypto";

const component = (name: string): ComponentManifest => ({
  name,
  short: "",
  impl: "Impl",
  source: "x.ts",
  methods: [],
  refs: [],
  listeners: [],
  config: null,
});

// Components by index: 0 bank/Audit, 1 bank/Ledger, 2 bank/Teller, 3 weaver/Main.
const manifest: Manifest = {
  app: "bank",
  codegenVersion: CODEGEN_VERSION,
  versionHash: "v1",
  components: ["bank/Audit", "bank/Ledger", "bank/Teller", "weaver/Main"].map(component),
  callGraph: [
    ["bank/Teller", "bank/Audit"],
    ["bank/Teller", "bank/Ledger"],
    ["weaver/Main", "bank/Teller"],
  ],
};
// Main and Audit share a group; Ledger and Teller have their own.
const groups = { "weaver/Main": "weaver.Main", "bank/Audit": "weaver.Main", "bank/Ledger": "bank.Ledger", "bank/Teller": "bank.Teller" };
const RESERVED = 0xfffffff0;

const call = (identity: string | undefined, method: number): CallInfo => ({ method, identity }) as unknown as CallInfo;
const ok: Handler = async () => Buffer.from("ran");

describe("callerPolicy", () => {
  const guarded = callerPolicy(manifest, groups, RESERVED).guard(ok);
  const outcome = async (identity: string | undefined, method: number): Promise<string> => {
    try {
      return String(await guarded(new ByteRange(Buffer.from("x"), 0, 1), call(identity, method)));
    } catch (e) {
      expect(e).toBeInstanceOf(RpcSystemError);
      expect((e as RpcSystemError).code).toBe(SystemCode.UNAUTHORIZED);
      return (e as Error).message;
    }
  };

  it("lets a group call what any of its components has a ref to, and nothing else", async () => {
    expect(await outcome("weaver.Main", (2 << 16) | 1)).toBe("ran"); // Main -> Teller
    expect(await outcome("bank.Teller", 1 << 16)).toBe("ran"); // Teller -> Ledger
    expect(await outcome("bank.Teller", 0)).toBe("ran"); // Teller -> Audit
    expect(await outcome("weaver.Main", 1 << 16)).toBe(
      "group weaver.Main may not call bank/Ledger: the call graph (refs) does not allow it: no component of weaver.Main has a ref to bank/Ledger",
    );
    expect(await outcome("bank.Ledger", 2 << 16)).toMatch(/^group bank\.Ledger may not call bank\/Teller: the call graph/);
    expect(await outcome("bank.Teller", 9 << 16)).toMatch(/^group bank\.Teller may not call component #9:/);
  });

  it("keeps the reserved methods for the deployer, which may call nothing else", async () => {
    expect(await outcome("deployer", 0xffffffff)).toBe("ran");
    expect(await outcome("bank.Teller", 0xffffffff)).toBe(
      "group bank.Teller may not call the deployer's method #ffffffff: only the deployer may",
    );
    expect(await outcome("deployer", 1 << 16)).toBe(
      "group deployer may not call bank/Ledger: the deployer calls only the reserved methods",
    );
    expect(await outcome(undefined, 1 << 16)).toBe("group (none) may not call anything: the caller presented no certificate");
  });

  it("identifies a caller by the group its certificate names, of this app and version only", () => {
    const ca = new CertificateAuthority("test");
    const cert = (app: string, version: string, group: string): X509Certificate =>
      new X509Certificate(
        ca.issue({ publicKey: generateKeyPair().publicKey, identity: { app, version, group }, lifetimeMs: 60_000 }).certificate,
      );
    const policy = callerPolicy(manifest, groups, RESERVED);
    expect(policy.identify(cert("bank", "v1", "bank.Teller"))).toBe("bank.Teller");
    expect(policy.identify(cert("bank", "v1", "deployer"))).toBe("deployer");
    expect(() => policy.identify(cert("bank", "v2", "bank.Teller"))).toThrow(
      "the certificate is of version v2 of app bank, which is not served here",
    );
    expect(() => policy.identify(cert("shop", "v1", "bank.Teller"))).toThrow("the certificate is of app shop, which is not served here");
    expect(() => policy.identify(cert("bank", "v1", "bank.Vault"))).toThrow(
      "the certificate is of group bank.Vault, which this app does not have",
    );
  });
});
