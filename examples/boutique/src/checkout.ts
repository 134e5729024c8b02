import { Implements, ref } from "@weaver/core";
import { placeOrder } from "./logic/checkout.js";
import type { Cart, Checkout, Currency, Email, OrderResult, Payment, PlaceOrderRequest, ProductCatalog, Shipping } from "./logic/types.js";

/** The checkout component: places orders through the cart, catalog, currency, shipping, payment and email components. */
export class CheckoutImpl extends Implements<Checkout>() implements Checkout {
  catalog = ref<ProductCatalog>();
  currency = ref<Currency>();
  cart = ref<Cart>();
  shipping = ref<Shipping>();
  payment = ref<Payment>();
  email = ref<Email>();

  async placeOrder(req: PlaceOrderRequest): Promise<OrderResult> {
    const deps = {
      catalog: this.catalog.get(),
      currency: this.currency.get(),
      cart: this.cart.get(),
      shipping: this.shipping.get(),
      payment: this.payment.get(),
      email: this.email.get(),
    };
    const order = await placeOrder(deps, req, (msg) => this.logger.warn(msg));
    this.logger.info({ order: order.orderId, user: req.userId }, "order placed");
    return order;
  }
}
