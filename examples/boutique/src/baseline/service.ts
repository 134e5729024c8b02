/**
 * One service of the baseline, in a process of its own: `node service.js <name>`, with
 * BOUTIQUE_DEPS (JSON: service name to port) naming where the services it calls listen and
 * BOUTIQUE_PORT its own port (0 or unset: a free one). Prints `<name> listening on <port>` once it
 * serves. The implementations are the business modules of ../logic, which the components use too.
 */
import http from "node:http";
import { adsFor } from "../logic/ads.js";
import { CartStore } from "../logic/cart-store.js";
import { Catalog, loadRates } from "../logic/catalog.js";
import { placeOrder } from "../logic/checkout.js";
import { confirmation, Outbox } from "../logic/email.js";
import { frontend } from "../logic/frontend.js";
import { convert } from "../logic/money.js";
import { charge } from "../logic/payment.js";
import { recommend } from "../logic/recommend.js";
import { quote, trackingId } from "../logic/shipping.js";
import type * as T from "../logic/types.js";
import { client, serveMethods } from "./json-rpc.js";

const name = process.argv[2] ?? "";
const deps = JSON.parse(process.env["BOUTIQUE_DEPS"] ?? "{}") as Record<string, number>;
const port = Number(process.env["BOUTIQUE_PORT"] ?? "0");

/** A client of the dependency `dep`. */
function dep<C extends object>(dep: string): C {
  const p = deps[dep];
  if (p === undefined) throw new Error(`service ${name} needs the port of ${dep} in BOUTIQUE_DEPS`);
  return client<C>(p);
}

function catalog(): T.ProductCatalog {
  const c = new Catalog();
  return { listProducts: async () => [...c.products], getProduct: async (id) => c.get(id), searchProducts: async (q) => c.search(q) };
}

function currency(): T.Currency {
  const rates = loadRates();
  return { getSupportedCurrencies: async () => Object.keys(rates), convert: async (from, to) => convert(from, to, rates) };
}

function cart(): T.Cart {
  const store = new CartStore();
  return { addItem: async (u, i) => store.add(u, i), getCart: async (u) => store.get(u), emptyCart: async (u) => store.empty(u) };
}

function recommendation(): T.Recommendation {
  const products = dep<T.ProductCatalog>("catalog");
  return {
    listRecommendations: async (_u, ids) =>
      recommend(
        (await products.listProducts()).map((p) => p.id),
        ids,
      ),
  };
}

function shipping(): T.Shipping {
  return { getQuote: async (_a, items) => quote(items), shipOrder: async (a) => trackingId(`${a.streetAddress}, ${a.city}, ${a.state}`) };
}

function email(): T.Email {
  const outbox = new Outbox();
  return { sendOrderConfirmation: async (to, order) => outbox.record(confirmation(to, order)), sentTo: async (to) => outbox.sentTo(to) };
}

function checkout(): T.Checkout {
  const d: T.CheckoutDeps = {
    catalog: dep("catalog"),
    currency: dep("currency"),
    cart: dep("cart"),
    shipping: dep("shipping"),
    payment: dep("payment"),
    email: dep("email"),
  };
  return { placeOrder: (req) => placeOrder(d, req, (m) => console.error(m)) };
}

const SERVICES: Record<string, () => object> = {
  catalog,
  currency,
  cart,
  recommendation,
  shipping,
  payment: (): T.Payment => ({ charge: async (amount, card) => charge(amount, card) }),
  email,
  checkout,
  ad: (): T.AdService => ({ getAds: async (keys) => adsFor(keys) }),
};

if (name === "frontend") {
  const handler = frontend({
    catalog: dep("catalog"),
    currency: dep("currency"),
    cart: dep("cart"),
    recommendation: dep("recommendation"),
    shipping: dep("shipping"),
    checkout: dep("checkout"),
    ad: dep("ad"),
  });
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => void handler(req, res));
  server.listen(port, "127.0.0.1", () => console.log(`frontend listening on ${(server.address() as { port: number }).port}`));
} else {
  const make = SERVICES[name];
  if (make === undefined) throw new Error(`unknown service ${name}; one of frontend, ${Object.keys(SERVICES).join(", ")}`);
  console.log(`${name} listening on ${await serveMethods(make(), port)}`);
}
process.once("SIGTERM", () => process.exit(0));
