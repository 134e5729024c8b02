// The Online Boutique's frontend as the main component: the shop's HTML pages and JSON API (see
// logic/frontend.ts) on listener "boutique", over refs to the other nine components.
import http from "node:http";
import { Implements, instrumentHandler, listener, ref, run, type Main } from "@weaver/core";
import { frontend } from "./logic/frontend.js";
import type { AdService, Cart, Checkout, Currency, ProductCatalog, Recommendation, Shipping } from "./logic/types.js";
import "./weaver_gen.js";

/** The main component: the web frontend. */
export class App extends Implements<Main>() {
  catalog = ref<ProductCatalog>();
  currency = ref<Currency>();
  cart = ref<Cart>();
  recommendation = ref<Recommendation>();
  shipping = ref<Shipping>();
  checkout = ref<Checkout>();
  ad = ref<AdService>();
  boutique = listener();

  async main(): Promise<void> {
    const handler = frontend({
      catalog: this.catalog.get(),
      currency: this.currency.get(),
      cart: this.cart.get(),
      recommendation: this.recommendation.get(),
      shipping: this.shipping.get(),
      checkout: this.checkout.get(),
      ad: this.ad.get(),
    });
    const server = http.createServer(
      { keepAliveTimeout: 30_000 },
      instrumentHandler("boutique", (req, res) => void handler(req, res)),
    );
    server.listen(this.boutique);
    console.log(`boutique available on http://${this.boutique.address}`);
  }
}

await run(App);
