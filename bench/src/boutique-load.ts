/**
 * A load generator for the Online Boutique that follows the original's Locust file
 * (microservices-demo, loadgenerator/locustfile.py): each simulated user has a session cookie and
 * picks tasks by weight (index 1, setCurrency 2, browseProduct 10, addToCart 2, viewCart 3,
 * checkout 1), from a PRNG with a fixed seed, over HTTP keep-alive. addToCart is the product page
 * then POST /cart; checkout is addToCart then POST /cart/checkout. Redirects are not followed
 * (Locust's client follows them): a 302 counts as a success, so every request is one the user made.
 *
 * Two modes: open loop (tasks start at a fixed rate, whatever the answers: latency at a rate the
 * deployment sustains) and closed loop (N users, each starting its next task as the last ends:
 * saturation). Records every request's latency and every failure.
 */
import http from "node:http";
import { CHECKOUT_FORM } from "boutique/dist/logic/sample-order.js";

/** A PRNG (mulberry32): the same seed gives the same users and tasks. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = [
  "0PUK6V6EV0",
  "1YMWWN1N4O",
  "2ZYFJ3GM2N",
  "66VCHSJNUP",
  "6E92ZMYYFZ",
  "9SIQT8TOJO",
  "L9ECAV7KIM",
  "LS4PSXUNUM",
  "OLJCESPC7Z",
];
const CURRENCIES = ["EUR", "USD", "JPY", "CAD", "GBP", "TRY"];
const QUANTITIES = [1, 2, 3, 4, 5, 10];

/** One HTTP request of a task. */
interface Step {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly form?: Record<string, string>;
}

type Task = (random: () => number) => Step[];
const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length)] as T;
const addToCart: Task = (r) => {
  const product = pick(PRODUCTS, r);
  return [
    { method: "GET", path: `/product/${product}` },
    { method: "POST", path: "/cart", form: { product_id: product, quantity: String(pick(QUANTITIES, r)) } },
  ];
};

/** The Locust file's tasks and weights. */
const TASKS: ReadonlyArray<readonly [number, Task]> = [
  [1, () => [{ method: "GET", path: "/" }]],
  [2, (r) => [{ method: "POST", path: "/setCurrency", form: { currency_code: pick(CURRENCIES, r) } }]],
  [10, (r) => [{ method: "GET", path: `/product/${pick(PRODUCTS, r)}` }]],
  [2, addToCart],
  [3, () => [{ method: "GET", path: "/cart" }]],
  [1, (r) => [...addToCart(r), { method: "POST", path: "/cart/checkout", form: CHECKOUT_FORM }]],
];
const TOTAL_WEIGHT = TASKS.reduce((n, [w]) => n + w, 0);

/** Requests per task on average (23/19): turns a request rate into a task rate. */
export const REQUESTS_PER_TASK = TASKS.reduce((n, [w, t]) => n + w * t(() => 0).length, 0) / TOTAL_WEIGHT;

function nextTask(random: () => number): Step[] {
  let x = random() * TOTAL_WEIGHT;
  for (const [w, t] of TASKS) {
    if ((x -= w) < 0) return t(random);
  }
  return (TASKS[0] as readonly [number, Task])[1](random);
}

/** What a load run measured. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  /** Latency of every successful request, in ms. */
  readonly latencies: number[];
  /** Up to 5 failures, as "status path: body". */
  readonly samples: string[];
  /** Open loop: tasks that could not start because every user was busy (the deployment fell behind). */
  readonly late: number;
}

/** A simulated user: its cookies and its own PRNG. */
class User {
  readonly #cookies = new Map<string, string>();
  busy = false;
  constructor(
    readonly id: number,
    readonly random: () => number,
  ) {
    this.#cookies.set("shop_session-id", `load-${id}`);
  }

  cookie(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  remember(setCookie: string[] | undefined): void {
    for (const c of setCookie ?? []) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      if (eq > 0) this.#cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
}

/** A load generator against the shop at `port`; `seed` fixes the users' choices. */
export class BoutiqueLoad {
  readonly #agent: http.Agent;
  #latencies: number[] = [];
  #errors = 0;
  #requests = 0;
  #samples: string[] = [];
  #stopping = false;

  constructor(
    readonly port: number,
    readonly seed = 20230614,
  ) {
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  }

  #users(n: number): User[] {
    const seeds = prng(this.seed);
    return Array.from({ length: n }, (_, i) => new User(i, prng(Math.floor(seeds() * 2 ** 32))));
  }

  #send(user: User, step: Step): Promise<void> {
    const body = step.form === undefined ? undefined : new URLSearchParams(step.form).toString();
    const headers: http.OutgoingHttpHeaders = { cookie: user.cookie() };
    if (body !== undefined)
      Object.assign(headers, { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) });
    const began = performance.now();
    return new Promise((resolve) => {
      const req = http.request(
        { host: "127.0.0.1", port: this.port, method: step.method, path: step.path, headers, agent: this.#agent },
        (res) => {
          user.remember(res.headers["set-cookie"]);
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => {
            this.#record(
              res.statusCode === 200 || res.statusCode === 302,
              performance.now() - began,
              `${res.statusCode} ${step.path}: ${text.slice(0, 200)}`,
            );
            resolve();
          });
        },
      );
      req.once("error", (e) => {
        this.#record(false, 0, `${e.message} ${step.path}`);
        resolve();
      });
      req.end(body);
    });
  }

  #record(ok: boolean, ms: number, what: string): void {
    this.#requests++;
    if (ok) this.#latencies.push(ms);
    else {
      this.#errors++;
      if (this.#samples.length < 5) this.#samples.push(what);
    }
  }

  async #task(user: User): Promise<void> {
    user.busy = true;
    for (const step of nextTask(user.random)) await this.#send(user, step);
    user.busy = false;
  }

  #reset(): void {
    this.#latencies = [];
    this.#errors = 0;
    this.#requests = 0;
    this.#samples = [];
  }

  #result(seconds: number, late = 0): LoadResult {
    return { requests: this.#requests, errors: this.#errors, seconds, latencies: this.#latencies, samples: this.#samples, late };
  }

  /** Closed loop: `users` users run tasks back to back for `seconds`; the requests that finished by then are counted. */
  async closed(users: number, seconds: number): Promise<LoadResult> {
    this.#reset();
    this.#stopping = false;
    const began = performance.now();
    const end = began + seconds * 1000;
    await Promise.all(
      this.#users(users).map(async (u) => {
        while (performance.now() < end) await this.#task(u);
      }),
    );
    return this.#result((performance.now() - began) / 1000);
  }

  /** Open loop: requests at about `rps` a second for `seconds` (tasks at rps / 1.21), from a pool of `users` users. */
  async open(rps: number, seconds: number, users = 400): Promise<LoadResult> {
    this.#reset();
    const pool = this.#users(users);
    const interval = (1000 * REQUESTS_PER_TASK) / rps;
    const began = performance.now();
    const running: Promise<void>[] = [];
    let next = 0;
    let started = 0;
    let late = 0;
    while (!this.#stopping) {
      const now = performance.now() - began;
      if (now >= seconds * 1000) break;
      // Start every task whose time has come (timers are coarse: several at once at high rates).
      while (started * interval <= now) {
        let user: User | undefined;
        for (let i = 0; i < pool.length && user === undefined; i++) {
          const u = pool[(next + i) % pool.length] as User;
          if (!u.busy) user = u;
        }
        next = (next + 1) % pool.length;
        started++;
        if (user === undefined) late++;
        else running.push(this.#task(user));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(running);
    return this.#result((performance.now() - began) / 1000, late);
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.#stopping = true;
    this.#agent.destroy();
  }
}
