// Calls over TLS, with a CA and certificates made by openssl at test time.
import { execFileSync, spawnSync } from "node:child_process";
import type { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RpcError } from "./errors.js";
import { Cleanup, echo, newClient, socketDir, startServer } from "./harness.test.util.js";
import { RpcServer, type Handler } from "./server.js";
import type { ClientTls, ServerTls } from "./transport.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

/** PEM files of a CA, a server certificate for localhost / 127.0.0.1, a client certificate, a stranger CA and a certificate it signed. */
interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  client2Cert: string;
  client2Key: string;
  otherCa: string;
  otherCert: string;
  otherKey: string;
}

function makePki(dir: string): Pki {
  const ssl = (...args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ca = (name: string): void => {
    ssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
    );
  };
  const leaf = (name: string, extensions: string, issuer = "ca"): void => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    ssl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
    );
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${issuer}.crt`,
      "-CAkey",
      `${issuer}.key`,
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`,
    );
  };
  ca("ca");
  ca("other");
  leaf("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  leaf("client", "extendedKeyUsage=clientAuth\n");
  leaf("client2", "extendedKeyUsage=clientAuth\n");
  leaf("stranger", "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n", "other");
  const read = (f: string): string => readFileSync(join(dir, f), "utf8");
  return {
    ca: read("ca.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
    client2Cert: read("client2.crt"),
    client2Key: read("client2.key"),
    otherCa: read("other.crt"),
    otherCert: read("stranger.crt"),
    otherKey: read("stranger.key"),
  };
}

// CI installs openssl (.ci/run), so there the tests always run; elsewhere they need it on PATH.
describe.skipIf(!hasOpenssl && process.env["CI"] === undefined)("TLS", () => {
  const cleanup = new Cleanup();
  let pki: Pki;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "weaver-tls-"));
    pki = makePki(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => cleanup.run());

  const serverTls = (): ServerTls => ({ cert: pki.serverCert, key: pki.serverKey });

  it("carries calls over TLS on a Unix socket and on TCP", async () => {
    const { path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "tls", tls: serverTls() });
    const client = newClient(cleanup, { tls: { ca: pki.ca } });
    client.setReplicas([{ id: "tls", address: { path } }]);
    expect((await client.call(1, Buffer.from("over unix"), { retriable: true })).toString()).toBe("over unix");

    const tcp = new RpcServer({ deployment: "dep-test", version: "v-test", id: "tcp", handler: echo, tls: serverTls() });
    cleanup.add(() => tcp.close());
    const address = await tcp.listen({ host: "127.0.0.1", port: 0 });
    const tcpClient = newClient(cleanup, { tls: { ca: pki.ca } });
    tcpClient.setReplicas([{ id: "tcp", address }]);
    const big = Buffer.alloc(1024 * 1024, 9);
    expect((await tcpClient.call(1, big, { retriable: true })).equals(big)).toBe(true);
  });

  it.each<[string, () => ClientTls]>([
    ["does not trust the server's CA", () => ({ ca: pki.otherCa })],
    ["expects another server name", () => ({ ca: pki.ca, servername: "not-the-server.example" })],
  ])("a client that %s fails with unavailable, saying why, and the server lives on", async (_what, tls) => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "tls", tls: serverTls() });
    const client = newClient(cleanup, { tls: tls() });
    client.setReplicas([{ id: "tls", address: { path } }]);
    const e = await client.call(1, Buffer.from("x"), { retriable: true, deadline: Date.now() + 500 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RpcError);
    expect(e).toMatchObject({
      kind: "unavailable",
      message: expect.stringMatching(
        /before the deadline.*(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify|ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match)/,
      ),
    });
    expect(server.stats.calls).toBe(0);
    const good = newClient(cleanup, { tls: { ca: pki.ca } });
    good.setReplicas([{ id: "tls", address: { path } }]);
    expect((await good.call(1, Buffer.from("fine"), { retriable: true })).toString()).toBe("fine");
  });

  it("a plain client to a TLS server is refused, saying so; a TLS client to a plain server cannot connect", async () => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "tls", tls: serverTls() });
    const plain = newClient(cleanup);
    plain.setReplicas([{ id: "tls", address: { path } }]);
    expect(await plain.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 300 }).catch((e: unknown) => e)).toMatchObject({
      kind: "refused",
      message: "replica tls refused the connection: this server takes TLS connections only, and the client connected without TLS",
    });
    expect(server.stats).toMatchObject({ refused: 1, calls: 0 });
    const { path: plainPath } = await startServer(cleanup, socketDir(cleanup), echo, { id: "plain" });
    const tlsClient = newClient(cleanup, { tls: { ca: pki.ca } });
    tlsClient.setReplicas([{ id: "plain", address: { path: plainPath } }]);
    expect(await tlsClient.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 300 }).catch((e: RpcError) => e.kind)).toBe(
      "unavailable",
    );
  });

  it("a server that requires client certificates (mutual TLS) takes only clients signed by its CA, and refuses the others saying why", async () => {
    const reasons: string[] = [];
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, {
      id: "mtls",
      tls: { ...serverTls(), ca: pki.ca },
      onBadPeer: (r) => reasons.push(r),
    });
    const withCert = newClient(cleanup, { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
    withCert.setReplicas([{ id: "mtls", address: { path } }]);
    expect((await withCert.call(1, Buffer.from("mutual"), { retriable: true })).toString()).toBe("mutual");
    const without = newClient(cleanup, { tls: { ca: pki.ca } });
    without.setReplicas([{ id: "mtls", address: { path } }]);
    const e = await without.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 500 }).catch((x: unknown) => x);
    expect(e).toMatchObject({
      kind: "refused",
      message:
        "replica mtls refused the connection: this server takes only clients with a certificate (mutual TLS), and the client presented none",
    });
    const stranger = newClient(cleanup, { tls: { ca: pki.ca, cert: pki.otherCert, key: pki.otherKey } });
    stranger.setReplicas([{ id: "mtls", address: { path } }]);
    expect(await stranger.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 500 }).catch((x: unknown) => x)).toMatchObject(
      {
        kind: "refused",
        message: expect.stringContaining("the client's certificate is not valid here: it is not signed by a CA this server trusts"),
      },
    );
    expect(server.stats).toMatchObject({ calls: 1, refused: 2 });
    expect(reasons).toEqual([
      "refused a client: this server takes only clients with a certificate (mutual TLS), and the client presented none",
      expect.stringMatching(/^refused a client: the client's certificate is not valid here: it is not signed by a CA this server trusts/),
    ]);
  });

  it("calls carry the identity the server reads from the client's certificate; one it will not accept is refused with its reason", async () => {
    const seen: (string | undefined)[] = [];
    const handler: Handler = async (payload, call) => {
      seen.push(call.identity);
      return payload;
    };
    const identify = (c: X509Certificate): string => {
      if (c.subject === "CN=client") return "the client";
      throw new Error(`certificate ${c.subject} names nobody this server serves`);
    };
    const { path } = await startServer(cleanup, socketDir(cleanup), handler, { id: "mtls", tls: { ...serverTls(), ca: pki.ca, identify } });
    const client = newClient(cleanup, { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
    client.setReplicas([{ id: "mtls", address: { path } }]);
    await client.call(1, Buffer.from("a"), { retriable: true });
    expect(seen).toEqual(["the client"]);
    // Another client certificate of the same CA is valid, but identify() does not take it.
    const other = newClient(cleanup, { tls: { ca: pki.ca, cert: pki.client2Cert, key: pki.client2Key } });
    other.setReplicas([{ id: "mtls", address: { path } }]);
    expect(await other.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 500 }).catch((x: unknown) => x)).toMatchObject({
      kind: "refused",
      message:
        "replica mtls refused the connection: the client's certificate is not accepted here: certificate CN=client2 names nobody this server serves",
    });
  });

  it("a client's checkServer replaces the host name check, and a server it rejects stays refused with its reason", async () => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "tls", tls: serverTls() });
    const picky = newClient(cleanup, {
      tls: { ca: pki.ca, checkServer: (c) => (c.subject === "CN=server" ? new Error("not the server I want") : undefined) },
    });
    picky.setReplicas([{ id: "tls", address: { path } }]);
    for (let i = 0; i < 2; i++) {
      // Without waiting for the deadline, and without trying again.
      const e = await picky.call(1, Buffer.alloc(0), { retriable: true }).catch((x: unknown) => x);
      expect(e).toMatchObject({ kind: "refused", message: `this client refused replica tls at unix:${path}: not the server I want` });
    }
    expect(picky.replicas()).toEqual([{ id: "tls", state: "refused", outstanding: 0 }]);
    expect(server.stats.calls).toBe(0);
    // A server name that does not match the certificate is fine when checkServer says so.
    const lenient = newClient(cleanup, { tls: { ca: pki.ca, servername: "elsewhere.example", checkServer: () => undefined } });
    lenient.setReplicas([{ id: "tls", address: { path } }]);
    expect((await lenient.call(1, Buffer.from("ok"), { retriable: true })).toString()).toBe("ok");
  });

  it("setTls changes the certificate of new connections; open connections keep theirs and their calls", async () => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "tls", tls: serverTls() });
    let trust = pki.ca;
    const client = newClient(cleanup, { tls: () => ({ ca: trust }) });
    client.setReplicas([{ id: "tls", address: { path } }]);
    expect((await client.call(1, Buffer.from("before"), { retriable: true })).toString()).toBe("before");
    // The server now presents a certificate of the other CA: the open connection goes on.
    server.setTls({ cert: pki.otherCert, key: pki.otherKey });
    expect((await client.call(1, Buffer.from("same connection"), { retriable: true })).toString()).toBe("same connection");
    // A new client that trusts only the old CA cannot connect any more; one that trusts the new one can.
    const old = newClient(cleanup, { tls: { ca: pki.ca } });
    old.setReplicas([{ id: "tls", address: { path } }]);
    expect(await old.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 300 }).catch((e: RpcError) => e.kind)).toBe(
      "unavailable",
    );
    trust = pki.otherCa;
    const fresh = newClient(cleanup, { tls: () => ({ ca: trust, checkServer: () => undefined }) });
    fresh.setReplicas([{ id: "tls", address: { path } }]);
    expect((await fresh.call(1, Buffer.from("after"), { retriable: true })).toString()).toBe("after");
    // The first client never reconnected (a failed TLS handshake is not an accepted connection).
    expect(server.stats.accepted).toBe(2);
  });
});
