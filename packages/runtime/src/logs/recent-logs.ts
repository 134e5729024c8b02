/**
 * The recent log entries of a deployment, kept in memory by its deployer (or single-process app)
 * for live views: the status server answers GET /logs from them, and the dashboard tails them.
 *
 * Every entry gets a sequence number, one more than the entry before it. A reader remembers the
 * number after the last entry it saw (`next`) and asks for what came since, waiting a while when
 * nothing has; entries older than the last `capacity` are gone, and a reader that asks for them
 * hears how many it missed. The full history of a multi deployment stays in its log file.
 */
import type { LogEntry } from "./log-entry.js";
import type { LogFilter } from "./log-query.js";

/** Entries a RecentLogs keeps unless told otherwise. */
export const RECENT_LOGS_CAPACITY = 10_000;

/** The longest a reader may wait for new entries, in ms. */
export const MAX_LOGS_WAIT_MS = 25_000;

/** The path of the recent log entries on a status server. */
export const LOGS_PATH = "/logs";

/** What a read of the recent entries answers (GET /logs, JSON). */
export interface LogsReply {
  /** The matching entries, oldest first. */
  readonly entries: readonly LogEntry[];
  /** The sequence number to ask from next time: one past the last entry looked at. */
  readonly next: number;
  /** Entries that were gone (beyond the capacity) before the reader asked for them. */
  readonly missed: number;
}

/** A bounded, numbered buffer of the newest log entries. */
export class RecentLogs {
  readonly #capacity: number;
  /** A ring: entry number n sits at n % capacity while n >= #next - #capacity. */
  readonly #ring: LogEntry[] = [];
  #next = 0;
  #waiters: (() => void)[] = [];

  constructor(capacity = RECENT_LOGS_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Adds an entry and wakes the readers waiting for one. */
  add(entry: LogEntry): void {
    this.#ring[this.#next % this.#capacity] = entry;
    this.#next++;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** The number the next entry will get. */
  get next(): number {
    return this.#next;
  }

  /** The last `limit` matching entries (the newest ones a view starts with). */
  last(filter: LogFilter, limit: number): LogsReply {
    const entries: LogEntry[] = [];
    for (let n = this.#next - 1; n >= this.#oldest() && entries.length < limit; n--) {
      const e = this.#ring[n % this.#capacity]!;
      if (filter(e)) entries.push(e);
    }
    return { entries: entries.reverse(), next: this.#next, missed: 0 };
  }

  /**
   * The matching entries from number `from` on, at most `limit`; when there are none yet, waits
   * up to `waitMs` for some (or until `signal` aborts) before answering.
   */
  async since(from: number, filter: LogFilter, limit: number, waitMs = 0, signal?: AbortSignal): Promise<LogsReply> {
    const deadline = Date.now() + Math.min(Math.max(waitMs, 0), MAX_LOGS_WAIT_MS);
    let start = Math.max(0, Math.min(from, this.#next));
    for (;;) {
      const missed = Math.max(0, this.#oldest() - start);
      start += missed;
      const entries: LogEntry[] = [];
      let n = start;
      for (; n < this.#next && entries.length < limit; n++) {
        const e = this.#ring[n % this.#capacity]!;
        if (filter(e)) entries.push(e);
      }
      const left = deadline - Date.now();
      if (entries.length > 0 || missed > 0 || left <= 0 || signal?.aborted === true) return { entries, next: n, missed };
      start = n;
      await this.#wait(left, signal);
    }
  }

  #oldest(): number {
    return Math.max(0, this.#next - this.#capacity);
  }

  #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#waiters.push(done);
    });
  }
}
