// A shop's carts over HTTP; each user's cart lives in one Cart replica, the one CartRouter picks:
//   POST /cart/<user>/items?sku=<sku>  ->  adds one item of sku, answers the cart
//   GET  /cart/<user>                  ->  {"user": ..., "items": [{"sku": ..., "quantity": ...}]}
// Answers carry the pid of the Cart replica that holds the cart in the x-served-by header.
import http from "node:http";
import { Implements, instrumentHandler, listener, ref, run, type Main } from "@weaver/core";
import type { Cart, CartView } from "./cart.js";
import "./weaver_gen.js";

/** The main component: holds the HTTP listener and refers to Cart. */
export class App extends Implements<Main>() {
  cart = ref<Cart>();
  lis = listener();

  async main(): Promise<void> {
    const server = http.createServer(instrumentHandler("cart", (req, res) => void this.serve(req, res)));
    server.listen(this.lis);
    console.log(`http listener available on ${this.lis}`);
  }

  async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const items = /^\/cart\/([^/]+)\/items$/.exec(url.pathname);
    const cart = /^\/cart\/([^/]+)$/.exec(url.pathname);
    try {
      if (items !== null && req.method === "POST") {
        const sku = url.searchParams.get("sku");
        if (sku === null || sku === "") return answer(res, 400, { error: "give the item as ?sku=<sku>" });
        answerCart(res, await this.cart.get().addItem(decodeURIComponent(items[1]!), sku));
      } else if (cart !== null && req.method === "GET") {
        answerCart(res, await this.cart.get().getCart(decodeURIComponent(cart[1]!)));
      } else {
        answer(res, 404, { error: "POST /cart/<user>/items?sku=<sku> or GET /cart/<user>" });
      }
    } catch (e) {
      answer(res, 500, { error: (e as Error).message });
    }
  }
}

function answerCart(res: http.ServerResponse, view: CartView): void {
  res.setHeader("x-served-by", String(view.servedBy));
  answer(res, 200, { user: view.user, items: view.items });
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(`${JSON.stringify(body)}\n`);
}

await run(App);
