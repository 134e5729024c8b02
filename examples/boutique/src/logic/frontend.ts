/**
 * The Online Boutique's frontend: HTML pages and a JSON API over the services it is given (the
 * components' refs, or the baseline's HTTP clients). A session cookie is the user id; another
 * cookie holds the chosen currency. Pages call the services as the original Go frontend does,
 * one call per product price to convert, so the call pattern (and its cost) is the original's.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { multiply, sum, zero } from "./money.js";
import { cartPage, errorPage, homePage, orderPage, productPage, type CartLine, type Header, type PricedProduct } from "./pages.js";
import type { Ad, Address, CreditCard, Money, OrderResult, Product, Services } from "./types.js";

/** The currencies the frontend offers (the original's whitelist). */
export const CURRENCIES = ["EUR", "USD", "JPY", "GBP", "TRY", "CAD"];
const SESSION = "shop_session-id";
const CURRENCY = "shop_currency";

/** An error with the HTTP status to answer. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Session {
  readonly user: string;
  readonly currency: string;
}

/** A request handler for node:http serving the shop over `s`. */
export function frontend(s: Services): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const cookies = parseCookies(req.headers.cookie);
    let user = cookies.get(SESSION);
    if (user === undefined) {
      user = randomUUID();
      res.setHeader("set-cookie", `${SESSION}=${user}; Path=/; HttpOnly; SameSite=Lax`);
    }
    const session: Session = { user, currency: cookies.get(CURRENCY) ?? "USD" };
    const api = url.pathname.startsWith("/api/");
    try {
      await route(s, req, res, url, session);
    } catch (e) {
      const err = e as Error;
      const status =
        e instanceof HttpError ? e.status : err.name === "PaymentError" || err.message.startsWith("failed to charge card") ? 402 : 500;
      if (api) return json(res, status, { error: err.message });
      const header: Header = { currency: session.currency, currencies: CURRENCIES, cartSize: 0 };
      html(res, status, errorPage(header, status, err.message));
    }
  };
}

async function route(s: Services, req: http.IncomingMessage, res: http.ServerResponse, url: URL, ses: Session): Promise<void> {
  const path = url.pathname;
  const get = req.method === "GET" || req.method === "HEAD";
  const post = req.method === "POST";
  const product = /^\/product\/([^/]+)$/.exec(path);
  const apiProduct = /^\/api\/products\/([^/]+)$/.exec(path);
  if (get && path === "/") return html(res, 200, await home(s, ses));
  if (get && product !== null) return html(res, 200, await productView(s, ses, decodeURIComponent(product[1]!)));
  if (get && path === "/cart") return html(res, 200, await cartView(s, ses));
  if (post && path === "/cart") {
    const f = await form(req);
    await addToCart(s, ses, f.get("product_id") ?? "", Number(f.get("quantity") ?? "1"));
    return redirect(res, "/cart");
  }
  if (post && path === "/cart/empty") {
    await s.cart.emptyCart(ses.user);
    return redirect(res, "/");
  }
  if (post && path === "/cart/checkout") {
    const order = await checkout(s, ses, orderForm(await form(req)));
    const recommended = await recommendedProducts(
      s,
      ses.user,
      order.items.map((i) => i.item.productId),
    );
    return html(res, 200, orderPage(await header(s, ses), order, orderTotal(order), recommended));
  }
  if (post && path === "/setCurrency") {
    const code = (await form(req)).get("currency_code") ?? "";
    if (!CURRENCIES.includes(code)) throw new HttpError(400, `unsupported currency ${code}; one of ${CURRENCIES.join(", ")}`);
    res.setHeader("set-cookie", `${CURRENCY}=${code}; Path=/; SameSite=Lax`);
    return redirect(res, req.headers.referer ?? "/");
  }
  if (get && path === "/logout") {
    res.setHeader("set-cookie", [`${SESSION}=; Path=/; Max-Age=0`, `${CURRENCY}=; Path=/; Max-Age=0`]);
    return redirect(res, "/");
  }
  if (get && path.startsWith("/static/img/")) {
    res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "max-age=3600" });
    return void res.end(
      `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"><rect width="80" height="80" fill="#e8e0d0"/></svg>`,
    );
  }
  if (get && path === "/_healthz") return void res.end("ok");
  // The JSON API.
  if (get && path === "/api/currencies") return json(res, 200, { currencies: CURRENCIES, current: ses.currency });
  if (post && path === "/api/currency") {
    const { currency } = (await body(req)) as { currency?: string };
    if (currency === undefined || !CURRENCIES.includes(currency))
      throw new HttpError(400, `unsupported currency ${currency}; one of ${CURRENCIES.join(", ")}`);
    res.setHeader("set-cookie", `${CURRENCY}=${currency}; Path=/; SameSite=Lax`);
    return json(res, 200, { currency });
  }
  if (get && path === "/api/products")
    return json(res, 200, await Promise.all((await s.catalog.listProducts()).map((p) => priced(s, p, ses.currency))));
  if (get && apiProduct !== null) {
    const p = await getProduct(s, decodeURIComponent(apiProduct[1]!));
    const [price, recommended, ads] = await Promise.all([
      s.currency.convert(p.priceUsd, ses.currency),
      s.recommendation.listRecommendations(ses.user, [p.id]),
      s.ad.getAds(p.categories),
    ]);
    return json(res, 200, { ...p, price, recommendations: recommended, ads });
  }
  if (get && path === "/api/cart") return json(res, 200, await cartJson(s, ses));
  if (post && path === "/api/cart") {
    const { productId, quantity } = (await body(req)) as { productId?: string; quantity?: number };
    await addToCart(s, ses, productId ?? "", quantity ?? 1);
    return json(res, 200, await cartJson(s, ses));
  }
  if (post && path === "/api/cart/empty") {
    await s.cart.emptyCart(ses.user);
    return json(res, 200, await cartJson(s, ses));
  }
  if (post && path === "/api/checkout") {
    const b = (await body(req)) as { email?: string; address?: Address; creditCard?: CreditCard };
    if (b.email === undefined || b.address === undefined || b.creditCard === undefined)
      throw new HttpError(400, "give email, address and creditCard");
    const order = await checkout(s, ses, { email: b.email, address: b.address, creditCard: b.creditCard });
    return json(res, 200, { order, total: orderTotal(order) });
  }
  throw new HttpError(404, `no page ${req.method} ${path}`);
}

async function header(s: Services, ses: Session): Promise<Header> {
  const [supported, cart] = await Promise.all([s.currency.getSupportedCurrencies(), s.cart.getCart(ses.user)]);
  return {
    currency: ses.currency,
    currencies: CURRENCIES.filter((c) => supported.includes(c)),
    cartSize: cart.items.reduce((n, i) => n + i.quantity, 0),
  };
}

async function priced(s: Services, product: Product, currency: string): Promise<PricedProduct> {
  return { product, price: await s.currency.convert(product.priceUsd, currency) };
}

async function getProduct(s: Services, id: string): Promise<Product> {
  try {
    return await s.catalog.getProduct(id);
  } catch (e) {
    throw new HttpError(404, (e as Error).message);
  }
}

/** One of the ads for the categories, picked at random (as the original frontend does). */
async function chooseAd(s: Services, categories: string[]): Promise<Ad | undefined> {
  const ads = await s.ad.getAds(categories);
  return ads[Math.floor(Math.random() * ads.length)];
}

async function home(s: Services, ses: Session): Promise<string> {
  const [h, products, ad] = await Promise.all([header(s, ses), s.catalog.listProducts(), chooseAd(s, [])]);
  return homePage(h, await Promise.all(products.map((p) => priced(s, p, ses.currency))), ad);
}

async function recommendedProducts(s: Services, user: string, ids: string[]): Promise<Product[]> {
  const recs = await s.recommendation.listRecommendations(user, ids);
  return Promise.all(recs.slice(0, 4).map((id) => s.catalog.getProduct(id)));
}

async function productView(s: Services, ses: Session, id: string): Promise<string> {
  const p = await getProduct(s, id);
  const [h, price, recommended, ad] = await Promise.all([
    header(s, ses),
    s.currency.convert(p.priceUsd, ses.currency),
    recommendedProducts(s, ses.user, [p.id]),
    chooseAd(s, p.categories),
  ]);
  return productPage(h, { product: p, price }, recommended, ad);
}

async function addToCart(s: Services, ses: Session, productId: string, quantity: number): Promise<void> {
  if (!Number.isInteger(quantity) || quantity <= 0) throw new HttpError(400, `quantity must be a positive integer, not ${quantity}`);
  await getProduct(s, productId);
  await s.cart.addItem(ses.user, { productId, quantity });
}

async function cartLines(s: Services, ses: Session): Promise<{ lines: CartLine[]; shipping: Money; total: Money }> {
  const cart = await s.cart.getCart(ses.user);
  const [lines, quote] = await Promise.all([
    Promise.all(
      cart.items.map(async (i) => {
        const product = await s.catalog.getProduct(i.productId);
        return { product, quantity: i.quantity, price: await s.currency.convert(product.priceUsd, ses.currency) };
      }),
    ),
    s.shipping.getQuote({ streetAddress: "", city: "", state: "", country: "", zipCode: 0 }, cart.items),
  ]);
  const shipping = await s.currency.convert(quote, ses.currency);
  let total = shipping;
  for (const l of lines) total = sum(total, multiply(l.price, l.quantity));
  return { lines, shipping, total };
}

async function cartView(s: Services, ses: Session): Promise<string> {
  const cart = await s.cart.getCart(ses.user);
  const [h, { lines, shipping, total }, recommended] = await Promise.all([
    header(s, ses),
    cartLines(s, ses),
    recommendedProducts(
      s,
      ses.user,
      cart.items.map((i) => i.productId),
    ),
  ]);
  return cartPage(h, lines, shipping, total, recommended);
}

async function cartJson(s: Services, ses: Session): Promise<unknown> {
  const { lines, shipping, total } = await cartLines(s, ses);
  return {
    items: lines.map((l) => ({ productId: l.product.id, name: l.product.name, quantity: l.quantity, price: l.price })),
    shipping,
    total,
  };
}

async function checkout(s: Services, ses: Session, f: { email: string; address: Address; creditCard: CreditCard }): Promise<OrderResult> {
  return s.checkout.placeOrder({ userId: ses.user, userCurrency: ses.currency, ...f });
}

/** An order's total: shipping plus every item's cost times its quantity. */
export function orderTotal(order: OrderResult): Money {
  let total = zero(order.shippingCost.currencyCode);
  total = sum(total, order.shippingCost);
  for (const i of order.items) total = sum(total, multiply(i.cost, i.item.quantity));
  return total;
}

function orderForm(f: URLSearchParams): { email: string; address: Address; creditCard: CreditCard } {
  const n = (k: string): number => Number(f.get(k) ?? "");
  return {
    email: f.get("email") ?? "",
    address: {
      streetAddress: f.get("street_address") ?? "",
      city: f.get("city") ?? "",
      state: f.get("state") ?? "",
      country: f.get("country") ?? "",
      zipCode: n("zip_code"),
    },
    creditCard: {
      number: f.get("credit_card_number") ?? "",
      cvv: n("credit_card_cvv"),
      expirationYear: n("credit_card_expiration_year"),
      expirationMonth: n("credit_card_expiration_month"),
    },
  };
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

async function text(req: http.IncomingMessage): Promise<string> {
  let s = "";
  for await (const chunk of req) s += chunk;
  return s;
}

async function form(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await text(req));
}

async function body(req: http.IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse((await text(req)) || "{}");
  } catch {
    throw new HttpError(400, "the body is not JSON");
  }
}

function html(res: http.ServerResponse, status: number, page: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(page);
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(value)}\n`);
}

function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(302, { location: to });
  res.end();
}
