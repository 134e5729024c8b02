// Calls over TLS, with a CA and certificates made by openssl at test time.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RpcError } from "./errors.js";
import { Cleanup, echo, newClient, socketDir, startServer } from "./harness.test.util.js";
import { RpcServer } from "./server.js";
import type { ClientTls, ServerTls } from "./transport.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

/** PEM files of a CA, a server certificate for localhost / 127.0.0.1, a client certificate, and a stranger CA. */
interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
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
  const leaf = (name: string, extensions: string): void => {
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
      "ca.crt",
      "-CAkey",
      "ca.key",
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
  const read = (f: string): string => readFileSync(join(dir, f), "utf8");
  return {
    ca: read("ca.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
    otherCa: read("other.crt"),
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

  it("a plain client cannot talk to a TLS server, nor a TLS client to a plain one", async () => {
    const { path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "tls", tls: serverTls() });
    const plain = newClient(cleanup);
    plain.setReplicas([{ id: "tls", address: { path } }]);
    expect(await plain.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 300 }).catch((e: RpcError) => e.kind)).toBe(
      "unavailable",
    );
    const { path: plainPath } = await startServer(cleanup, socketDir(cleanup), echo, { id: "plain" });
    const tlsClient = newClient(cleanup, { tls: { ca: pki.ca } });
    tlsClient.setReplicas([{ id: "plain", address: { path: plainPath } }]);
    expect(await tlsClient.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 300 }).catch((e: RpcError) => e.kind)).toBe(
      "unavailable",
    );
  });

  it("a server that requires client certificates (mutual TLS) takes only clients signed by its CA", async () => {
    const { server, path } = await startServer(cleanup, socketDir(cleanup), echo, { id: "mtls", tls: { ...serverTls(), ca: pki.ca } });
    const withCert = newClient(cleanup, { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
    withCert.setReplicas([{ id: "mtls", address: { path } }]);
    expect((await withCert.call(1, Buffer.from("mutual"), { retriable: true })).toString()).toBe("mutual");
    const without = newClient(cleanup, { tls: { ca: pki.ca } });
    without.setReplicas([{ id: "mtls", address: { path } }]);
    const e = await without.call(1, Buffer.alloc(0), { retriable: true, deadline: Date.now() + 500 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "unavailable" });
    expect(server.stats.calls).toBe(1);
  });
});
