/**
 * The raw echo server (a process of its own): decodes each message and sends it back re-encoded.
 * Usage: RAW_ECHO_SOCKET=<path> node raw-echo-server.js; prints "raw echo serving" when ready.
 */
import net from "node:net";
import { RawReader, RawWriter, rawCodec } from "./raw-framing.js";

const path = process.env["RAW_ECHO_SOCKET"];
if (!path) throw new Error("RAW_ECHO_SOCKET is not set");
const codec = rawCodec();

const server = net.createServer({ noDelay: true }, (socket) => {
  const writer = new RawWriter(socket);
  const reader = new RawReader((body) => {
    const [id, payload] = codec.unpack(body) as [number, unknown];
    writer.send(codec.pack([id, payload]));
  });
  socket.on("data", (chunk: Buffer) => reader.push(chunk));
  socket.on("error", () => socket.destroy());
});
server.listen(path, () => console.log("raw echo serving"));
