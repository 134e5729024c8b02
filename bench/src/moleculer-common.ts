/**
 * What both Moleculer brokers share: the TCP transporter with static addresses on 127.0.0.1 (no
 * UDP discovery), and a msgpackr serializer (the one our RPC uses; Moleculer's default JSON cannot
 * carry a Uint8Array).
 */
import moleculer from "moleculer";
import { rawCodec } from "./raw-framing.js";

/** Moleculer's serializer over msgpackr, like its own CBOR and MsgPack serializers. */
class MsgpackrSerializer extends moleculer.Serializers.Base {
  readonly #codec = rawCodec();
  override serialize(obj: object): Buffer {
    return this.#codec.pack(obj);
  }
  override deserialize(buf: Buffer): object {
    return this.#codec.unpack(buf) as object;
  }
}

/** The node ids and ports of the two brokers. */
export interface MoleculerPeers {
  readonly serverPort: number;
  readonly clientPort: number;
}

export const SERVER_NODE = "bench-server";
export const CLIENT_NODE = "bench-client";

/** The options of one broker of the pair. */
export function brokerOptions(self: "server" | "client", peers: MoleculerPeers): moleculer.BrokerOptions {
  return {
    nodeID: self === "server" ? SERVER_NODE : CLIENT_NODE,
    logger: false,
    serializer: new MsgpackrSerializer(),
    transporter: {
      type: "TCP",
      options: {
        udpDiscovery: false,
        port: self === "server" ? peers.serverPort : peers.clientPort,
        urls: [`127.0.0.1:${peers.serverPort}/${SERVER_NODE}`, `127.0.0.1:${peers.clientPort}/${CLIENT_NODE}`],
      },
    },
  };
}
