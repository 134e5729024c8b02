// The app's main component: an HTTP server on the `web` listener whose answers come from Greeter.
//   curl 'localhost:8080/?name=ada lovelace'   ->   Hello, Ada Lovelace!
import http from "node:http";
import { Implements, instrumentHandler, listener, ref, run, type Main } from "@weaver/core";
import type { Greeter } from "./greeter.js";
import "./weaver_gen.js"; // written by `weaver generate`: it registers the components

export class App extends Implements<Main>() {
  greeter = ref<Greeter>();
  web = listener();

  async main(): Promise<void> {
    const server = http.createServer(
      instrumentHandler("web", async (req, res) => {
        const name = new URL(req.url ?? "/", "http://localhost").searchParams.get("name") ?? "";
        res.end(`${await this.greeter.get().greet(name)}\n`);
      }),
    );
    server.listen(this.web);
    console.log(`web listener available on ${this.web}`);
  }
}

await run(App);
