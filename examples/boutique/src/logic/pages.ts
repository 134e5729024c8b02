/** The frontend's HTML pages: small, server-rendered, no scripts. */
import { format } from "./money.js";
import { CHECKOUT_FORM } from "./sample-order.js";
import type { Ad, Money, OrderResult, Product } from "./types.js";

/** A product with its price in the user's currency. */
export interface PricedProduct {
  readonly product: Product;
  readonly price: Money;
}

/** What every page's header shows. */
export interface Header {
  readonly currency: string;
  readonly currencies: readonly string[];
  readonly cartSize: number;
}

/** Escapes text for HTML. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, h: Header, body: string): string {
  const options = h.currencies.map((c) => `<option value="${esc(c)}"${c === h.currency ? " selected" : ""}>${esc(c)}</option>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} | Online Boutique</title></head><body>
<header><a href="/">Online Boutique</a>
<form method="post" action="/setCurrency"><select name="currency_code">${options}</select><button>Set currency</button></form>
<a href="/cart">Cart (<span id="cart-size">${h.cartSize}</span>)</a></header>
<main>${body}</main></body></html>\n`;
}

function adBlock(ad: Ad | undefined): string {
  return ad === undefined ? "" : `<aside class="ad">Advertisement: <a href="${esc(ad.redirectUrl)}">${esc(ad.text)}</a></aside>`;
}

function card(p: PricedProduct): string {
  return `<li class="product"><a href="/product/${esc(p.product.id)}"><img src="${esc(p.product.picture)}" alt="" width="80"> ${esc(p.product.name)}</a> <span class="price">${esc(format(p.price))}</span></li>`;
}

/** The home page: every product, and an ad. */
export function homePage(h: Header, products: readonly PricedProduct[], ad: Ad | undefined): string {
  return layout("Home", h, `<h1>Hot Products</h1><ul class="products">${products.map(card).join("")}</ul>${adBlock(ad)}`);
}

/** A product's page: the product, a form to add it to the cart, recommendations and an ad. */
export function productPage(h: Header, p: PricedProduct, recommended: readonly Product[], ad: Ad | undefined): string {
  const quantities = [1, 2, 3, 4, 5, 10].map((q) => `<option>${q}</option>`).join("");
  const recs = recommended.map((r) => `<li><a href="/product/${esc(r.id)}">${esc(r.name)}</a></li>`).join("");
  return layout(
    p.product.name,
    h,
    `<h1>${esc(p.product.name)}</h1><p class="price">${esc(format(p.price))}</p><p>${esc(p.product.description)}</p>
<form method="post" action="/cart"><input type="hidden" name="product_id" value="${esc(p.product.id)}"><select name="quantity">${quantities}</select><button>Add to cart</button></form>
<h2>You may also like</h2><ul class="recommendations">${recs}</ul>${adBlock(ad)}`,
  );
}

/** One line of the cart page. */
export interface CartLine {
  readonly product: Product;
  readonly quantity: number;
  readonly price: Money;
}

/** The cart page: its lines, shipping and total, and the checkout form. */
export function cartPage(h: Header, lines: readonly CartLine[], shipping: Money, total: Money, recommended: readonly Product[]): string {
  if (lines.length === 0) return layout("Cart", h, `<h1>Your shopping cart is empty!</h1><a href="/">Continue shopping</a>`);
  const rows = lines.map((l) => `<tr><td>${esc(l.product.name)}</td><td>${l.quantity}</td><td>${esc(format(l.price))}</td></tr>`).join("");
  const recs = recommended.map((r) => `<li><a href="/product/${esc(r.id)}">${esc(r.name)}</a></li>`).join("");
  const field = (name: string, value: string): string => `<label>${name} <input name="${name}" value="${esc(value)}"></label>`;
  return layout(
    "Cart",
    h,
    `<h1>Cart (${lines.length})</h1><table class="cart">${rows}</table>
<p>Shipping: <span id="shipping">${esc(format(shipping))}</span></p><p>Total: <span id="total">${esc(format(total))}</span></p>
<form method="post" action="/cart/empty"><button>Empty cart</button></form>
<form method="post" action="/cart/checkout">${Object.entries(CHECKOUT_FORM)
      .map(([name, value]) => field(name, value))
      .join("")}<button>Place order</button></form>
<h2>You may also like</h2><ul class="recommendations">${recs}</ul>`,
  );
}

/** The order confirmation page. */
export function orderPage(h: Header, order: OrderResult, total: Money, recommended: readonly Product[]): string {
  const recs = recommended.map((r) => `<li><a href="/product/${esc(r.id)}">${esc(r.name)}</a></li>`).join("");
  return layout(
    "Order complete",
    h,
    `<h1>Your order is complete!</h1><p>Confirmation #: <span id="order-id">${esc(order.orderId)}</span></p>
<p>Tracking #: <span id="tracking-id">${esc(order.shippingTrackingId)}</span></p><p>Total paid: <span id="total">${esc(format(total))}</span></p>
<a href="/">Continue shopping</a><h2>You may also like</h2><ul class="recommendations">${recs}</ul>`,
  );
}

/** An error page. */
export function errorPage(h: Header, status: number, message: string): string {
  return layout("Error", h, `<h1>Uh, oh!</h1><p>Something has failed (${status}).</p><pre id="error">${esc(message)}</pre>`);
}
