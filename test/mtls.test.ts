// Mutual TLS between replicas, as a deployer runs it: this test is the bank's deployer (its CA,
// its control server signing the replicas' keys, Envelopes starting them), and real replica
// processes serve each other over TLS on Unix sockets. The test process also plays callers with
// certificates of its own making: allowed ones, ones the call graph refuses, and strangers.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RemoteCallError } from "@weaver/core";
import { RpcClient, type ClientTls } from "@weaver/rpc";
import {
  CertificateAuthority,
  ControlServer,
  DeploymentTrust,
  Envelope,
  Routing,
  generateKeyPair,
  type LogEntry,
  type Manifest,
  type RouteEntry,
} from "@weaver/runtime";
import { getComponent, remoteCalls } from "@weaver/runtime/core";
import { afterEach, describe, expect, it } from "vitest";
import type { Audit } from "./apps/bank/src/audit.js";
import type { Ledger } from "./apps/bank/src/ledger.js";
import type { Teller } from "./apps/bank/src/teller.js";
import { ROOT } from "./support/process.js";
import { BANK } from "./support/replicas.js";

const MANIFEST: Manifest = getComponent("bank/Ledger").app;
const GROUPS = { "weaver/Main": "weaver.Main", "bank/Teller": "bank.Teller", "bank/Ledger": "bank.Ledger", "bank/Audit": "bank.Audit" };
/** The replicas of every test: one per component but Main (the test process calls as Main). */
const REPLICAS = [
  { id: "l1", component: "bank/Ledger" },
  { id: "a1", component: "bank/Audit" },
  { id: "t1", component: "bank/Teller" },
];

/** The bank with mutual TLS, run by this test as its deployer. */
class Bank {
  readonly id = randomUUID();
  readonly ca = new CertificateAuthority("test deployment");
  readonly trust: DeploymentTrust;
  readonly logs: LogEntry[] = [];
  readonly dir = mkdtempSync(join(ROOT, ".tmp-mtls-"));
  readonly #routing = new Routing();
  readonly #envelopes: Envelope[] = [];
  readonly #ready = new Map<string, () => void>();
  readonly #control: ControlServer;
  readonly #config = join(this.dir, "weaver.toml");
  /** Where each replica (by id) is routed to reach each component: the right replicas, unless a test says otherwise. */
  routes: Record<string, Record<string, RouteEntry[]>> = {};
  /** The component each replica started hosts, by replica id. */
  readonly #hosts = new Map<string, string>();

  constructor(lifetimeMs: number) {
    writeFileSync(this.#config, '["bank/Teller"]\nbank = "TLS Bank"\n');
    this.trust = new DeploymentTrust({
      manifest: MANIFEST,
      deployment: this.id,
      groups: GROUPS,
      certificateLifetimeMs: lifetimeMs,
      authority: this.ca,
    });
    this.#control = new ControlServer(
      { deployment: this.id, version: MANIFEST.versionHash },
      {
        ready: (r) => this.#ready.get(r.id)?.(),
        refused: () => {},
        watchRoutes: (r) => this.#routing.watch(r.version, () => this.routes[r.id] ?? {}),
        // A deployer signs for the group of the replica it started under that id, and for nothing else.
        sign: (r) => this.trust.sign(r.publicKey, GROUPS[this.#hosts.get(r.id) as keyof typeof GROUPS]),
      },
    );
  }

  /** Where replica `id` serves. */
  address(id: string): string {
    return `unix:${join(this.dir, `${id}.sock`)}`;
  }

  /** Starts the control server and the replicas (Ledger and Audit before Teller, whose init() calls Ledger). */
  async start(): Promise<void> {
    await this.trust.start();
    await this.#control.listen(`unix:${join(this.dir, "control.sock")}`);
    const route = (id: string): RouteEntry[] => [{ id, address: this.address(id) }];
    this.routes = { t1: { "bank/Ledger": route("l1"), "bank/Audit": route("a1") } };
    for (const batch of [REPLICAS.slice(0, 2), REPLICAS.slice(2)])
      await Promise.all(batch.map((r) => this.startReplica(r.id, r.component)));
  }

  /** Starts one replica; resolves when it reports ready, or rejects with its output when it exits first. */
  startReplica(id: string, component: string): Promise<void> {
    const output: string[] = [];
    this.#hosts.set(id, component);
    const envelope = new Envelope({
      binary: BANK,
      args: [],
      env: process.env,
      configFile: this.#config,
      app: "bank",
      replica: {
        deployment: this.id,
        id,
        hosts: [component],
        listen: this.address(id),
        routes: this.routes[id] ?? {},
        control: `unix:${join(this.dir, "control.sock")}`,
        mtls: this.trust.mtlsArgs(),
      },
      onEntry: (e) => {
        this.logs.push(e);
        output.push(e.msg);
      },
    });
    this.#envelopes.push(envelope);
    return new Promise((resolve, reject) => {
      this.#ready.set(id, resolve);
      void envelope.exited.then((exit) => reject(new Error(`replica ${id} exited (${exit.code ?? exit.signal}):\n${output.join("\n")}`)));
    });
  }

  /** What replica `id` logged. */
  logOf(id: string): string {
    return this.logs
      .filter((e) => e.node === id)
      .map((e) => e.msg)
      .join("\n");
  }

  /** A certificate and key of this deployment's CA for `group` (or as `options` say), as client TLS. */
  credentials(group: string, options: { version?: string; ca?: CertificateAuthority; expired?: boolean } = {}): ClientTls {
    const { privateKey, publicKey } = generateKeyPair();
    const issued = (options.ca ?? this.ca).issue({
      publicKey,
      identity: { app: MANIFEST.app, version: options.version ?? MANIFEST.versionHash, group },
      lifetimeMs: 3_600_000,
      ...(options.expired === true ? { notBefore: new Date(Date.now() - 7_200_000) } : {}),
    });
    return {
      ca: this.ca.certificate,
      cert: issued.certificate,
      key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      // Replicas check the group of the replica they call; these callers take any of the deployment's.
      checkServer: () => undefined,
    };
  }

  /** The bank's components called from this process over `tls` (plain without), each routed to its replica. */
  caller(tls: ClientTls | (() => ClientTls) | undefined, routes: Record<string, string> = {}) {
    const clients: RpcClient[] = [];
    const stub = <T>(name: string, replica: string): T => {
      const client = new RpcClient({
        deployment: this.id,
        version: MANIFEST.versionHash,
        id: "test",
        defaultTimeoutMs: 2_000,
        ...(tls ? { tls } : {}),
      });
      const id = routes[name] ?? replica;
      client.setReplicas([{ id, address: { path: this.address(id).slice("unix:".length) } }]);
      clients.push(client);
      const component = getComponent(name);
      return component.registration.clientStub(remoteCalls(component, client)) as T;
    };
    return {
      teller: stub<Teller>("bank/Teller", "t1"),
      ledger: stub<Ledger>("bank/Ledger", "l1"),
      audit: stub<Audit>("bank/Audit", "a1"),
      close: () => {
        for (const c of clients) c.close();
      },
    };
  }

  async stop(): Promise<void> {
    this.#routing.close();
    await Promise.all(this.#envelopes.map((e) => e.stop(5_000)));
    this.trust.close();
    await this.#control.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const running: Bank[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((b) => b.stop()));
});

async function startBank(lifetimeMs = 3_600_000): Promise<Bank> {
  const bank = new Bank(lifetimeMs);
  running.push(bank);
  await bank.start();
  return bank;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: Error) => e,
  );
}

describe("mutual TLS between replicas", () => {
  it("serves what the call graph allows, across processes, and refuses the rest with a clear error", { timeout: 60_000 }, async () => {
    const bank = await startBank();
    const main = bank.caller(bank.credentials("weaver.Main"));
    try {
      // Main -> Teller is an edge of the graph; Teller -> Ledger and Audit run between replicas, over TLS too.
      await main.teller.callInfo();
      expect(await main.teller.pay("init", "bob", 0)).toMatchObject({ bank: "TLS Bank" });
      // Main has no ref to Ledger: its certificate is valid, but the call graph does not allow the call.
      const e = await failure(main.ledger.balance("bob"));
      expect(e).toBeInstanceOf(RemoteCallError);
      expect(e.message).toBe(
        "call to bank/Ledger.balance on replica l1 failed: group weaver.Main may not call bank/Ledger: " +
          "the call graph (refs) does not allow it: no component of weaver.Main has a ref to bank/Ledger",
      );
      // Audit refers to nothing; Teller's certificate may call Ledger.
      const audit = bank.caller(bank.credentials("bank.Audit"));
      const teller = bank.caller(bank.credentials("bank.Teller"));
      try {
        expect((await failure(audit.ledger.deposit("bob", 5))).message).toMatch(
          /group bank\.Audit may not call bank\/Ledger: the call graph/,
        );
        expect(await teller.ledger.balance("bob")).toBe(0);
        // The deployer's certificate is for health checks and metrics, not for components.
        const deployer = bank.caller(bank.credentials("deployer"));
        expect((await failure(deployer.ledger.balance("bob"))).message).toMatch(
          /group deployer may not call bank\/Ledger: the deployer calls only the reserved methods/,
        );
        deployer.close();
      } finally {
        audit.close();
        teller.close();
      }
    } finally {
      main.close();
    }
  });

  it.each<[string, (bank: Bank) => ClientTls | undefined, RegExp, RegExp]>([
    [
      "a plain client",
      () => undefined,
      /replica t1 refused the connection: this server takes TLS connections only, and the client connected without TLS$/,
      /refused a client: this server takes TLS connections only, and the client connected without TLS/,
    ],
    [
      "a client with a certificate of another deployment's CA",
      (bank) => ({ ...bank.credentials("weaver.Main", { ca: new CertificateAuthority("another deployment") }), ca: bank.ca.certificate }),
      /replica t1 refused the connection: the client's certificate is not valid here: it is not signed by a CA this server trusts \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/,
      /refused a client: the client's certificate is not valid here: it is not signed by a CA this server trusts/,
    ],
    [
      "a replica of another deployment (another CA, trusting only it)",
      (bank) => {
        const other = new CertificateAuthority("another deployment");
        return { ...bank.credentials("weaver.Main", { ca: other }), ca: other.certificate };
      },
      /cannot connect to t1 at unix:.*: SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain \(the server's certificate is not signed by a CA this client trusts\)\)$/,
      /a TLS handshake with a client failed: the client closed the connection during the handshake; it may not trust this server's certificate/,
    ],
    [
      "a client with a certificate of another app version",
      (bank) => bank.credentials("weaver.Main", { version: "0ld0ld0ld0ld" }),
      /replica t1 refused the connection: the client's certificate is not accepted here: the certificate is of version 0ld0ld0ld0ld of app bank, which is not served here$/,
      /refused a client: the client's certificate is not accepted here: the certificate is of version 0ld0ld0ld0ld of app bank/,
    ],
    [
      "a client with an expired certificate",
      (bank) => bank.credentials("weaver.Main", { expired: true }),
      /replica t1 refused the connection: the client's certificate is not valid here: it has expired \(CERT_HAS_EXPIRED\)$/,
      /refused a client: the client's certificate is not valid here: it has expired \(CERT_HAS_EXPIRED\)/,
    ],
  ])("refuses %s, saying why to it and in the replica's log", { timeout: 60_000 }, async (_what, tls, told, logged) => {
    const bank = await startBank();
    const stranger = bank.caller(tls(bank));
    try {
      const e = await failure(stranger.teller.callInfo());
      expect(e).toBeInstanceOf(RemoteCallError);
      expect(e.message).toMatch(/^call to bank\/Teller\.callInfo on replica t1 failed: /);
      expect(e.message).toMatch(told);
      await until(() => logged.test(bank.logOf("t1")));
      // The replica lives on and serves its legitimate callers.
      const main = bank.caller(bank.credentials("weaver.Main"));
      await main.teller.callInfo();
      main.close();
    } finally {
      stranger.close();
    }
  });

  it("a replica checks that the replica it calls is of the group hosting the callee", { timeout: 60_000 }, async () => {
    const bank = await startBank();
    // A deployer that routes Teller's calls to Ledger to the Audit replica: Teller's init() calls Ledger.
    bank.routes["t2"] = {
      "bank/Ledger": [{ id: "a1", address: bank.address("a1") }],
      "bank/Audit": [{ id: "a1", address: bank.address("a1") }],
    };
    const started = bank.startReplica("t2", "bank/Teller");
    const e = await failure(started);
    expect(e.message).toMatch(
      /call to bank\/Ledger\.balance on replica a1 failed: .*the replica's certificate is of group bank\.Audit, not of bank\.Ledger, which was to be called/,
    );
  });

  it("rotates every certificate many times under a steady load, and every call is answered", { timeout: 90_000 }, async () => {
    // Certificates live 2 s and are renewed after about 1.3 s, by all four holders: three replicas and the deployer.
    const bank = await startBank(2_000);
    const main = bank.caller(bank.credentials("weaver.Main"));
    const failures: string[] = [];
    let answered = 0;
    let fresh = 0;
    const seenTellerCerts = new Set<string>();
    let running = true;
    // Steady calls on long-lived connections, each crossing two replicas (test -> Teller -> Ledger, Audit)...
    const steady = async (n: number): Promise<void> => {
      while (running) {
        try {
          await main.teller.pay("init", `acct-${n}`, 0);
          answered++;
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    // ...and new connections all along, each verifying whichever certificate Teller presents then.
    const reconnecting = async (): Promise<void> => {
      while (running) {
        const tls = bank.credentials("weaver.Main");
        const client = bank.caller({
          ...tls,
          checkServer: (c) => {
            seenTellerCerts.add(c.fingerprint256);
            return undefined;
          },
        });
        try {
          await client.teller.callInfo();
          fresh++;
        } catch (e) {
          failures.push(`new connection: ${(e as Error).message}`);
        } finally {
          client.close();
        }
      }
    };
    const signedAtStart = bank.trust.signed;
    const load = [...Array.from({ length: 8 }, (_, n) => steady(n)), reconnecting()];
    // Until every holder has renewed at least 4 times, and Teller's server presented several certificates.
    await until(() => bank.trust.signed - signedAtStart >= 16 && seenTellerCerts.size >= 3, 60_000);
    running = false;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(100);
    expect(fresh).toBeGreaterThan(10);
    main.close();
  });
});

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}
