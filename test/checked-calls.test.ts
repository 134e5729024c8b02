// Checked arguments against a real replica: a peer that passed the handshake sends, encoded by
// hand, a call whose argument has the wrong type. The replica answers SYSTEM_ERROR BAD_REQUEST
// naming the method, the parameter and the types, the implementation never runs, and the same
// connection goes on serving well-typed calls.
import { rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import {
  FrameReader,
  FrameType,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  SystemCode,
  encodeHello,
  encodeRequestHead,
  privateSocketDir,
} from "@weaver/rpc";
import { Codec, getComponent, methodId } from "@weaver/runtime/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stopAll } from "./support/process.js";
import { BANK, BANK_COMPONENTS, BANK_VERSION, bankClient, startReplica } from "./support/replicas.js";

let sockets: string;
let config: string;

beforeAll(() => {
  sockets = privateSocketDir("weaver-checked-");
  config = join(sockets, "weaver.toml");
  writeFileSync(config, '["bank/Teller"]\nbank = "Checked Bank"\n');
});
afterEach(() => stopAll());
afterAll(() => rmSync(sockets, { recursive: true, force: true }));

function frame(type: number, id: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(9 + body.length);
  out.writeUInt32BE(5 + body.length, 0);
  out[4] = type;
  out.writeUInt32BE(id, 5);
  out.set(body, 9);
  return out;
}

/** A frame received, its body copied. */
type Got = { type: number; id: number; body: Buffer };

/** A raw connection: says HELLO, sends frames, and hands over the frames that come back in order. */
async function rawPeer(path: string, deployment: string): Promise<{ send(b: Buffer): void; next(): Promise<Got>; socket: net.Socket }> {
  const socket = net.connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const reader = new FrameReader(MAX_FRAME_BYTES);
  const frames: Got[] = [];
  const waiting: ((f: Got) => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    for (const f of reader.push(chunk)) {
      const copy = { type: f.type, id: f.id, body: Buffer.from(f.bytes) };
      const take = waiting.shift();
      if (take) take(copy);
      else frames.push(copy);
    }
  });
  socket.write(frame(FrameType.HELLO, 0, encodeHello({ protocol: PROTOCOL_VERSION, deployment, version: BANK_VERSION, peer: "hand" })));
  return {
    socket,
    send: (b) => socket.write(b),
    next: () => {
      const f = frames.shift();
      return f ? Promise.resolve(f) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe("a replica", () => {
  it("refuses an argument of the wrong type with BAD_REQUEST, runs nothing, and keeps the connection", { timeout: 30_000 }, async () => {
    const deployment = `checked-${process.pid}`;
    const replica = await startReplica(
      sockets,
      BANK,
      { deployment, id: "c1", hosts: BANK_COMPONENTS },
      { env: { SERVICEWEAVER_CONFIG: config } },
    );
    const ledger = getComponent("bank/Ledger");
    const deposit = methodId(
      ledger.app.components.findIndex((c) => c.name === "bank/Ledger"),
      ledger.manifest.methods.findIndex((m) => m.name === "deposit"),
    );
    const request = (id: number, payload: Uint8Array): Buffer =>
      frame(
        FrameType.REQUEST,
        id,
        Buffer.concat([encodeRequestHead({ method: deposit, timeoutMs: 0, traceparent: undefined, metadata: undefined }), payload]),
      );
    const peer = await rawPeer(replica.address.slice("unix:".length), deployment);
    const { client, ledger: ledgerStub } = bankClient(deployment, [replica]);
    try {
      expect((await peer.next()).type).toBe(FrameType.WELCOME);
      // An object where deposit(account: string, amount: number) declares a string.
      peer.send(request(1, new Codec(ledger.registration.structures).encode([{ name: "acct" }, 5])));
      const refused = await peer.next();
      expect(refused.type).toBe(FrameType.SYSTEM_ERROR);
      expect(refused.id).toBe(1);
      expect(refused.body[0]).toBe(SystemCode.BAD_REQUEST);
      expect(refused.body.toString("utf8", 1)).toBe("argument account of bank/Ledger.deposit: expected string, got object");

      // A well-typed call on the same connection is served.
      peer.send(request(2, new Codec(ledger.registration.structures).encode(["acct", 5])));
      const served = await peer.next();
      expect(served.type).toBe(FrameType.RESPONSE);
      expect(served.id).toBe(2);
      expect(new Codec(ledger.registration.structures).decode(served.body)).toBe(5);
      expect(peer.socket.destroyed).toBe(false);

      // The refused deposit never reached the ledger.
      expect(await ledgerStub.history("acct")).toHaveLength(1);
      expect(await ledgerStub.balance("acct")).toBe(5);
    } finally {
      peer.socket.destroy();
      client.close();
    }
  });
});
