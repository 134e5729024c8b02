import { Implements } from "@weaver/core";
import { Catalog } from "./logic/catalog.js";
import type { Product, ProductCatalog } from "./logic/types.js";

/** The product catalog component: the products of data/products.json. */
export class ProductCatalogImpl extends Implements<ProductCatalog>() implements ProductCatalog {
  readonly #catalog = new Catalog();

  async listProducts(): Promise<Product[]> {
    return [...this.#catalog.products];
  }

  async getProduct(id: string): Promise<Product> {
    return this.#catalog.get(id);
  }

  async searchProducts(query: string): Promise<Product[]> {
    return this.#catalog.search(query);
  }
}
