/** The ad service: ads by product category, or random ones. */
import type { Ad } from "./types.js";

const ADS: Readonly<Record<string, readonly Ad[]>> = {
  clothing: [{ redirectUrl: "/product/66VCHSJNUP", text: "Tank top for sale. 20% off." }],
  accessories: [{ redirectUrl: "/product/1YMWWN1N4O", text: "Watch for sale. Buy one, get second kit for free" }],
  footwear: [{ redirectUrl: "/product/L9ECAV7KIM", text: "Loafers for sale. Buy one, get second one for free" }],
  hair: [{ redirectUrl: "/product/2ZYFJ3GM2N", text: "Hairdryer for sale. 50% off." }],
  decor: [{ redirectUrl: "/product/0PUK6V6EV0", text: "Candle holder for sale. 30% off." }],
  kitchen: [
    { redirectUrl: "/product/9SIQT8TOJO", text: "Bamboo glass jar for sale. 10% off." },
    { redirectUrl: "/product/6E92ZMYYFZ", text: "Mug for sale. Buy two, get third one for free" },
  ],
};

const ALL = Object.values(ADS).flat();

/** The ads of the categories; 2 random ads when none of them has one. */
export function adsFor(categories: readonly string[], random: () => number = Math.random): Ad[] {
  const found = categories.flatMap((c) => ADS[c] ?? []);
  if (found.length > 0) return found;
  return [0, 1].map(() => ALL[Math.floor(random() * ALL.length)] as Ad);
}
