/**
 * HTTP instrumentation for listeners that opt in: `http.createServer(instrumentHandler("api", h))`
 * records per request the weaver_http_* metrics (requests, errors by status class, latency, bytes
 * in and out, labelled with the handler's label and the Host header) and, when the request is
 * traced, a server span that the component calls made while handling it are children of.
 *
 * Byte counts are estimates, as in the Go framework: the request line, headers and declared
 * Content-Length on the way in (reading the body would take it from the handler), and what the
 * socket wrote while the response was sent on the way out.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { SpanKind } from "@opentelemetry/api";
import {
  CounterMap,
  DEFAULT_MAX_SERIES,
  GENERATED_BOUNDS,
  HistogramMap,
  enterSpan,
  startEntrySpan,
  type Counter,
  type Histogram,
} from "@weaver/runtime/core";

interface HttpLabels {
  /** The label given to instrumentHandler. */
  readonly label: string;
  /** The request's Host header. */
  readonly host: string;
}

const requests = new CounterMap<HttpLabels>("weaver_http_request_count", "HTTP requests received by instrumented handlers");
const errors = new CounterMap<HttpLabels & { code: string }>(
  "weaver_http_error_count",
  "HTTP requests answered with a 4xx or 5xx status, by status class",
);
const latency = new HistogramMap<HttpLabels>(
  "weaver_http_request_latency_micros",
  "Time to answer HTTP requests, in microseconds",
  GENERATED_BOUNDS,
);
const received = new HistogramMap<HttpLabels>(
  "weaver_http_request_bytes_received",
  "Estimated size of HTTP requests, in bytes",
  GENERATED_BOUNDS,
);
const returned = new HistogramMap<HttpLabels>(
  "weaver_http_request_bytes_returned",
  "Estimated size of HTTP responses, in bytes",
  GENERATED_BOUNDS,
);

/**
 * Wraps an HTTP request handler so that its requests are counted, timed and traced under `label`.
 *
 * @example
 * http.createServer(instrumentHandler("reverser", (req, res) => { ... })).listen(this.lis);
 */
export function instrumentHandler(label: string, handler: RequestListener): RequestListener {
  // The metric handles of each Host header, looked up once (the metrics' caps bound the hosts).
  const byHost = new Map<string, { labels: HttpLabels; requests: Counter; latency: Histogram; received: Histogram; returned: Histogram }>();
  const handles = (host: string) => {
    let h = byHost.get(host);
    if (h === undefined) {
      const labels = { label, host };
      h = {
        labels,
        requests: requests.get(labels),
        latency: latency.get(labels),
        received: received.get(labels),
        returned: returned.get(labels),
      };
      if (byHost.size < DEFAULT_MAX_SERIES) byHost.set(host, h);
    }
    return h;
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const start = performance.now();
    const m = handles(req.headers.host ?? "");
    const labels = m.labels;
    m.requests.inc();
    m.received.put(requestBytes(req));
    const written = req.socket.bytesWritten;
    const header = req.headers["traceparent"];
    const span = startEntrySpan(label, SpanKind.SERVER, typeof header === "string" ? header : undefined, true);
    span?.setAttributes({
      "http.request.method": req.method ?? "",
      "url.path": (req.url ?? "").split("?")[0] ?? "",
      "server.address": labels.host,
    });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      m.latency.put(Math.round((performance.now() - start) * 1000));
      m.returned.put(Math.max(0, req.socket.bytesWritten - written));
      const status = res.statusCode;
      if (status >= 400) errors.get({ ...labels, code: `${Math.floor(status / 100)}xx` }).inc();
      if (span !== undefined) {
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) span.fail(new Error(`HTTP status ${status}`));
        if (!res.writableFinished) span.addEvent("connection closed before the response was sent");
        span.end();
      }
    };
    res.once("finish", finish);
    res.once("close", finish);
    if (span === undefined) handler(req, res);
    else enterSpan(span, () => handler(req, res));
  };
}

/** The request line, headers and declared body size. */
function requestBytes(req: IncomingMessage): number {
  let n = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12;
  for (const h of req.rawHeaders) n += h.length + 2;
  const length = Number(req.headers["content-length"] ?? 0);
  return n + (Number.isFinite(length) ? length : 0);
}
