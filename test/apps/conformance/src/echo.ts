import { Implements, context, ref, registerError } from "@weaver/core";
import type { Store } from "./store.js";

/** An application error whose class, name, message and fields cross processes. */
export class EchoError extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }

  override get name(): string {
    return "EchoError";
  }
}
registerError(EchoError);

/** Echo answers the conformance suite's requests, each exercising one thing a deployer must carry. */
export interface Echo {
  echo(s: string): Promise<string>;
  /** Has Store save s. */
  relay(s: string): Promise<string>;
  fail(message: string): Promise<void>;
  /** Waits `ms`, unless the call is cancelled first; then it logs "sleep <token> cancelled". */
  sleep(ms: number, token: string): Promise<void>;
  log(msg: string): Promise<void>;
  /**
   * Ends this process at once.
   * @weaver notRetriable
   */
  crash(): Promise<void>;
}

export class EchoImpl extends Implements<Echo>() implements Echo {
  store = ref<Store>();

  async init(): Promise<void> {
    // The conformance suite's hung-init case sets this.
    if (process.env["CONFORMANCE_HANG_INIT"] === "1") await new Promise<void>(() => setInterval(() => {}, 60_000));
  }

  async shutdown(): Promise<void> {
    this.logger.info("Echo shut down");
  }

  async echo(s: string): Promise<string> {
    return `echo: ${s}`;
  }

  async relay(s: string): Promise<string> {
    return `relayed: ${await this.store.get().save(s)}`;
  }

  async fail(message: string): Promise<void> {
    throw new EchoError(message, "from Echo");
  }

  async sleep(ms: number, token: string): Promise<void> {
    const { signal } = context();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        this.logger.info(`sleep ${token} cancelled`);
        resolve();
      });
    });
  }

  async log(msg: string): Promise<void> {
    this.logger.info({ suite: "conformance" }, msg);
  }

  async crash(): Promise<void> {
    process.exit(3);
  }
}
