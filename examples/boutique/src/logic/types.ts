/**
 * The Online Boutique's data model and service interfaces, as in Google's microservices-demo
 * (demo.proto), without any framework: the components implement these interfaces, and so do the
 * HTTP/JSON clients of the baseline, so the frontend and checkout code is the same for both.
 */

/** An amount of money: whole units plus nanos (10^-9 units) of the same sign, in a currency. */
export interface Money {
  /** ISO 4217 code, e.g. "USD". */
  currencyCode: string;
  units: number;
  /** -999,999,999 to +999,999,999, of the same sign as units. */
  nanos: number;
}

/** A product of the catalog. */
export interface Product {
  id: string;
  name: string;
  description: string;
  picture: string;
  priceUsd: Money;
  categories: string[];
}

/** One line of a cart or an order: a product and how many of it. */
export interface CartItem {
  productId: string;
  quantity: number;
}

/** A user's cart. */
export interface UserCart {
  userId: string;
  items: CartItem[];
}

/** Where an order ships to. */
export interface Address {
  streetAddress: string;
  city: string;
  state: string;
  country: string;
  zipCode: number;
}

/** A credit card as the checkout form sends it. */
export interface CreditCard {
  number: string;
  cvv: number;
  expirationYear: number;
  expirationMonth: number;
}

/** One line of an order: the item and what it cost, in the user's currency. */
export interface OrderItem {
  item: CartItem;
  cost: Money;
}

/** A placed order. */
export interface OrderResult {
  orderId: string;
  shippingTrackingId: string;
  shippingCost: Money;
  shippingAddress: Address;
  items: OrderItem[];
}

/** What the checkout form sends. */
export interface PlaceOrderRequest {
  userId: string;
  userCurrency: string;
  address: Address;
  email: string;
  creditCard: CreditCard;
}

/** An advertisement: where it links to and its text. */
export interface Ad {
  redirectUrl: string;
  text: string;
}

/** An order confirmation as the email service recorded it. */
export interface SentEmail {
  to: string;
  subject: string;
  body: string;
}

/** The product catalog. */
export interface ProductCatalog {
  listProducts(): Promise<Product[]>;
  /** The product with this id; rejects with "no product with ID <id>" when there is none. */
  getProduct(id: string): Promise<Product>;
  /** Products whose name or description contains `query` (case-insensitive). */
  searchProducts(query: string): Promise<Product[]>;
}

/** Currency conversion from a table of EUR-based rates. */
export interface Currency {
  /** The supported currency codes. */
  getSupportedCurrencies(): Promise<string[]>;
  /** `from` in the currency `toCode`. */
  convert(from: Money, toCode: string): Promise<Money>;
}

/** The users' carts. */
export interface Cart {
  /**
   * Adds `quantity` of a product to the user's cart. Not retried: a retry could add it twice.
   * @weaver notRetriable
   */
  addItem(userId: string, item: CartItem): Promise<void>;
  getCart(userId: string): Promise<UserCart>;
  emptyCart(userId: string): Promise<void>;
}

/** Product recommendations. */
export interface Recommendation {
  /** Up to 5 random product ids, none of `productIds`. */
  listRecommendations(userId: string, productIds: string[]): Promise<string[]>;
}

/** Shipping quotes and shipments. */
export interface Shipping {
  getQuote(address: Address, items: CartItem[]): Promise<Money>;
  /**
   * Ships the items; answers a tracking id.
   * @weaver notRetriable
   */
  shipOrder(address: Address, items: CartItem[]): Promise<string>;
}

/** Card payments. */
export interface Payment {
  /**
   * Charges the card; answers a transaction id, or rejects with a PaymentError.
   * @weaver notRetriable
   */
  charge(amount: Money, card: CreditCard): Promise<string>;
}

/** Order confirmations (recorded, not sent: there is no SMTP server). */
export interface Email {
  /** @weaver notRetriable */
  sendOrderConfirmation(email: string, order: OrderResult): Promise<void>;
  /** The confirmations recorded so far for `email`, oldest first (for tests and demos). */
  sentTo(email: string): Promise<SentEmail[]>;
}

/** Checkout: turns a cart into an order. */
export interface Checkout {
  /**
   * Charges the card, ships the items, empties the cart and sends a confirmation.
   * @weaver notRetriable
   */
  placeOrder(req: PlaceOrderRequest): Promise<OrderResult>;
}

/** Advertisements. */
export interface AdService {
  /** Ads for the categories, or 2 random ones when none matches. */
  getAds(contextKeys: string[]): Promise<Ad[]>;
}

/** Every service the frontend calls. */
export interface Services {
  readonly catalog: ProductCatalog;
  readonly currency: Currency;
  readonly cart: Cart;
  readonly recommendation: Recommendation;
  readonly shipping: Shipping;
  readonly checkout: Checkout;
  readonly ad: AdService;
}

/** Every service the checkout calls. */
export interface CheckoutDeps {
  readonly catalog: ProductCatalog;
  readonly currency: Currency;
  readonly cart: Cart;
  readonly shipping: Shipping;
  readonly payment: Payment;
  readonly email: Email;
}
