/**
 * A view is one kind of dashboard page. It loads its data, renders its live cards from the data,
 * and renders the page around them. The server renders a page once per request; a page's
 * WebSocket then loads the data again every second and sends the cards whose HTML changed, so a
 * card has one renderer for both. A view may also stream (the logs), pushing as things happen.
 */
import type { RunningDeployment } from "@weaver/runtime";
import type { DashboardData } from "../dashboard-data.js";
import type { PageParts } from "../html.js";

/** What a view is given. */
export interface ViewContext {
  readonly data: DashboardData;
  /** The page URL's query parameters. */
  readonly params: URLSearchParams;
}

/** Said instead of data when what the page shows is not there (an ended deployment, an unknown trace). */
export interface Missing {
  readonly missing: string;
}

/** The live cards of a page: HTML by card name (see card() in html.ts). */
export type Cards = Readonly<Record<string, string>>;

/** One message a streaming view pushes to its page. */
export type StreamMessage = Readonly<Record<string, unknown>>;

/** A kind of page. */
export interface View<T> {
  /** Loads the data; rejects when a status server fails. */
  load(ctx: ViewContext): Promise<T | Missing>;
  /** The live cards. */
  cards(data: T, ctx: ViewContext): Cards;
  /** The page, with `cards` in it. */
  page(data: T, cards: Cards, ctx: ViewContext): PageParts;
  /** Pushes messages to the page until `signal` aborts (views that stream only). */
  stream?(data: T, ctx: ViewContext, send: (message: StreamMessage) => void, signal: AbortSignal): Promise<void>;
  /** Why the page will not change any more (it shows a deployment that ended), or undefined while it may. */
  ended?(data: T): string | undefined;
}

/** Tells a Missing from data. */
export function isMissing(v: unknown): v is Missing {
  return typeof v === "object" && v !== null && typeof (v as { missing?: unknown }).missing === "string";
}

/** The running deployment the page's `id` parameter names (the whole id or a prefix of only one), or why there is none. */
export async function pageDeployment(ctx: ViewContext): Promise<RunningDeployment | Missing> {
  const id = ctx.params.get("id") ?? "";
  const deployment = await ctx.data.deployment(id);
  if (deployment !== undefined) return deployment;
  return {
    missing:
      id === "" ? "No deployment was named: the page needs ?id=<deployment id>." : `No deployment, running or ended, has the id "${id}".`,
  };
}
