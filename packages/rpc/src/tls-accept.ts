/**
 * Accepting connections on a server that requires TLS.
 *
 * A connection's first byte tells whether the client speaks TLS: a TLS handshake record starts
 * with 0x16, a HELLO frame with the top byte of its length, 0. A plain client is handed on with
 * a refusal, which the RPC server sends it as a REFUSED frame it can read, instead of the silent
 * close a TLS server would give it. A TLS client goes through the handshake of an internal
 * tls.Server (never listening itself), which verifies the client's certificate when the server
 * asks for one but does not reject it: the acceptor checks the verdict and the certificate's
 * identity itself, so that the refusal can say what is wrong (expired, another CA, another
 * identity). setTls() swaps the certificate for new connections; connections already up keep
 * theirs, so a rotation drops no call.
 *
 * Invariants: every socket handed to the acceptor is either passed on exactly once (accepted or
 * refused) or destroyed, within the handshake timeout. At most `maxPending` sockets wait for their
 * first byte (one more closes the oldest), and at most `maxPending` TLS handshakes run at once
 * (a connection beyond that is closed), so strangers cannot make the server hold much memory.
 */
import { X509Certificate } from "node:crypto";
import type net from "node:net";
import tls from "node:tls";
import type { ServerTls } from "./transport.js";

/** What the server learned of a connection before its first frame. */
export interface Accepted {
  /** The client's identity, when the server checks client certificates (ServerTls.identify). */
  readonly identity?: string;
  /** Why the client may not talk to this server: it is told so, and the connection closes. */
  readonly refusal?: string;
}

/** Options of a TlsAcceptor. */
export interface TlsAcceptorOptions {
  /** Receives each connection that completed the TLS handshake, or a plain one with its refusal. */
  readonly onSocket: (socket: net.Socket, accepted: Accepted) => void;
  /** Told about connections that failed before that: a broken handshake, nothing sent in time. */
  readonly onError: (reason: string) => void;
  readonly handshakeTimeoutMs: number;
  readonly maxPending: number;
}

/** The first byte of a TLS record that carries a handshake message. */
const TLS_HANDSHAKE = 0x16;

/** Hands connections through a TLS handshake, or refuses them. */
export class TlsAcceptor {
  readonly #server: tls.Server;
  readonly #options: TlsAcceptorOptions;
  /** Sockets waiting for their first byte, oldest first. */
  readonly #pending = new Set<net.Socket>();
  /** TLS handshakes in progress: each ends in secureConnection or tlsClientError. */
  #handshakes = 0;
  #tls: ServerTls;

  constructor(serverTls: ServerTls, options: TlsAcceptorOptions) {
    this.#tls = serverTls;
    this.#options = options;
    this.#server = tls.createServer({
      ...secureOptions(serverTls),
      requestCert: serverTls.ca !== undefined,
      // Verified, not rejected: #secured refuses with the reason (see the overview).
      rejectUnauthorized: false,
      handshakeTimeout: options.handshakeTimeoutMs,
    });
    this.#server.on("secureConnection", (socket: tls.TLSSocket) => {
      this.#handshakes--;
      this.#secured(socket);
    });
    this.#server.on("tlsClientError", (e: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      this.#handshakes--;
      options.onError(`a TLS handshake with a client failed: ${handshakeError(e)}`);
      socket.destroy();
    });
  }

  /** Uses another certificate (and CAs) for the connections accepted from now on. */
  setTls(serverTls: ServerTls): void {
    this.#server.setSecureContext(secureOptions(serverTls));
    this.#tls = serverTls;
  }

  /** Takes a socket just accepted by the listening server. */
  accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.#pending.add(socket);
    if (this.#pending.size > this.#options.maxPending) {
      const oldest = this.#pending.values().next().value as net.Socket;
      this.#pending.delete(oldest);
      oldest.destroy();
    }
    const timer = setTimeout(() => {
      if (!this.#pending.delete(socket)) return;
      this.#options.onError(`closed a connection that sent nothing within ${this.#options.handshakeTimeoutMs} ms`);
      socket.destroy();
    }, this.#options.handshakeTimeoutMs);
    timer.unref();
    socket.on("error", () => socket.destroy());
    socket.once("close", () => {
      clearTimeout(timer);
      this.#pending.delete(socket);
    });
    socket.once("data", (chunk: Buffer) => {
      clearTimeout(timer);
      this.#pending.delete(socket);
      socket.pause();
      socket.unshift(chunk); // the TLS socket reads what was buffered first
      if (chunk[0] !== TLS_HANDSHAKE) {
        this.#options.onSocket(socket, {
          refusal: "this server takes TLS connections only, and the client connected without TLS",
        });
        return;
      }
      if (this.#handshakes >= this.#options.maxPending) {
        this.#options.onError(`closed a connection: ${this.#handshakes} TLS handshakes are in progress already`);
        socket.destroy();
        return;
      }
      // The tls.Server wraps the socket, runs the handshake (within its timeout), and emits
      // secureConnection or tlsClientError.
      this.#handshakes++;
      this.#server.emit("connection", socket);
    });
  }

  /** Closes the connections still waiting for their first byte (handshakes end within their timeout). */
  close(): void {
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();
  }

  #secured(socket: tls.TLSSocket): void {
    socket.setNoDelay(true);
    const serverTls = this.#tls;
    if (serverTls.ca === undefined) {
      this.#options.onSocket(socket, {});
      return;
    }
    const raw = socket.getPeerCertificate();
    if (raw === null || raw.raw === undefined) {
      this.#options.onSocket(socket, {
        refusal: "this server takes only clients with a certificate (mutual TLS), and the client presented none",
      });
      return;
    }
    if (!socket.authorized) {
      this.#options.onSocket(socket, {
        refusal: `the client's certificate is not valid here: ${verifyError(String(socket.authorizationError))}`,
      });
      return;
    }
    if (serverTls.identify === undefined) {
      this.#options.onSocket(socket, {});
      return;
    }
    try {
      this.#options.onSocket(socket, { identity: serverTls.identify(new X509Certificate(raw.raw)) });
    } catch (e) {
      this.#options.onSocket(socket, { refusal: `the client's certificate is not accepted here: ${(e as Error).message}` });
    }
  }
}

/** The parts of ServerTls a secure context is made of. */
function secureOptions(serverTls: ServerTls): tls.SecureContextOptions {
  return {
    cert: serverTls.cert,
    key: serverTls.key,
    ...(serverTls.ca !== undefined ? { ca: serverTls.ca as tls.SecureContextOptions["ca"] } : {}),
  };
}

/** Words for OpenSSL's verification errors that certificates here run into. */
function verifyError(code: string): string {
  switch (code) {
    case "CERT_HAS_EXPIRED":
      return "it has expired (CERT_HAS_EXPIRED)";
    case "CERT_NOT_YET_VALID":
      return "it is not valid yet (CERT_NOT_YET_VALID)";
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "CERT_SIGNATURE_FAILURE":
      return `it is not signed by a CA this server trusts (${code})`;
    default:
      return code;
  }
}

/** A failed server-side handshake, in words: who broke it off, and the likely reason. */
function handshakeError(e: NodeJS.ErrnoException): string {
  if (e.code === "ECONNRESET") return "the client closed the connection during the handshake; it may not trust this server's certificate";
  if (e.code === "ERR_TLS_HANDSHAKE_TIMEOUT") return "the client did not complete it in time";
  return e.code === undefined || e.message.includes(e.code) ? e.message : `${e.code}: ${e.message}`;
}
