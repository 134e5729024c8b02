import { Implements, ref } from "@weaver/core";
import { recommend } from "./logic/recommend.js";
import type { ProductCatalog, Recommendation } from "./logic/types.js";

/** The recommendation component: random products of the catalog that are not in the list. */
export class RecommendationImpl extends Implements<Recommendation>() implements Recommendation {
  catalog = ref<ProductCatalog>();

  async listRecommendations(_userId: string, productIds: string[]): Promise<string[]> {
    const all = await this.catalog.get().listProducts();
    return recommend(
      all.map((p) => p.id),
      productIds,
    );
  }
}
