// An HTTP server whose endpoints are served by components of their own:
//   /reverse?name=abcdefg  ->  after reversing, name is gfedcba
//   /convert?name=abcdefg  ->  after converting, name is ABCDEFG
//   /both?name=abcdefg     ->  after reversing and converting, name is GFEDCBA
// instrumentHandler gives the requests metrics (weaver_http_*) and traces.
import http from "node:http";
import { Implements, instrumentHandler, listener, ref, run, type Main } from "@weaver/core";
import type { Converter } from "./converter.js";
import type { Reverser } from "./reverser.js";
import "./weaver_gen.js";

/** The main component: holds the HTTP listener and refers to Reverser and Converter. */
export class App extends Implements<Main>() {
  reverser = ref<Reverser>();
  converter = ref<Converter>();
  // The lis listener listens on a random port unless the config gives it an address.
  lis = listener();

  async main(): Promise<void> {
    const server = http.createServer(instrumentHandler("reverser", (req, res) => void this.serve(req, res)));
    server.listen(this.lis);
    console.log(`http listener available on ${this.lis}`);
  }

  async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const name = url.searchParams.get("name") || "World";
    res.setHeader("content-type", "text/plain; charset=utf-8");
    try {
      if (url.pathname === "/reverse") {
        const reversed = await this.reverser.get().reverse(name);
        res.end(`after reversing, name is ${reversed}\n`);
      } else if (url.pathname === "/convert") {
        const converted = await this.converter.get().toUpper(name);
        res.end(`after converting, name is ${converted}\n`);
      } else if (url.pathname === "/both") {
        const both = await this.converter.get().toUpper(await this.reverser.get().reverse(name));
        res.end(`after reversing and converting, name is ${both}\n`);
      } else {
        res.statusCode = 404;
        res.end("404 page not found\n");
      }
    } catch (e) {
      res.statusCode = 500;
      res.end(`${(e as Error).message}\n`);
    }
  }
}

await run(App);
