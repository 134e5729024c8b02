import { Implements } from "@weaver/core";
import { adsFor } from "./logic/ads.js";
import type { Ad, AdService } from "./logic/types.js";

/** The ad component: ads by product category, or random ones. */
export class AdServiceImpl extends Implements<AdService>() implements AdService {
  async getAds(contextKeys: string[]): Promise<Ad[]> {
    return adsFor(contextKeys);
  }
}
