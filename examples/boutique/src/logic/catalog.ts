/** The product catalog and the currency rates, loaded from the JSON files in data/. */
import { readFileSync } from "node:fs";
import type { Product } from "./types.js";

// From dist/logic/ or src/logic/ alike, the data folder is two levels up.
const DATA = new URL("../../data/", import.meta.url);

/** The 9 products of data/products.json. */
export function loadProducts(): Product[] {
  return (JSON.parse(readFileSync(new URL("products.json", DATA), "utf8")) as { products: Product[] }).products;
}

/** The EUR-based rates of data/currency-rates.json: 1 EUR is `rates[code]` of the currency. */
export function loadRates(): Record<string, number> {
  const raw = JSON.parse(readFileSync(new URL("currency-rates.json", DATA), "utf8")) as Record<string, string>;
  return Object.fromEntries(Object.entries(raw).map(([code, rate]) => [code, Number(rate)]));
}

/** Looks products up by id and searches them, as the product catalog service does. */
export class Catalog {
  readonly products: readonly Product[];
  readonly #byId: Map<string, Product>;

  constructor(products: readonly Product[] = loadProducts()) {
    this.products = products;
    this.#byId = new Map(products.map((p) => [p.id, p]));
  }

  /** The product, or an error naming the id. */
  get(id: string): Product {
    const p = this.#byId.get(id);
    if (p === undefined) throw new Error(`no product with ID ${id}`);
    return p;
  }

  /** Products whose name or description contains the query, case-insensitively. */
  search(query: string): Product[] {
    const q = query.toLowerCase();
    return this.products.filter((p) => p.name.toLowerCase().includes(q) || p.description.toLowerCase().includes(q));
  }
}
