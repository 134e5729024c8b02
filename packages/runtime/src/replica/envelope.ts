/**
 * The envelope: the deployer's side of one replica process (see deployer-protocol.ts). It starts
 * the app's entry with WEAVER_REPLICA set, turns the process's stdout and stderr lines and its
 * JSON log lines into log entries, and stops it: SIGTERM to drain, SIGKILL after a grace period.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { appCommand } from "./app-process.js";
import { DEPLOYER_PROTOCOL_VERSION, LOG_FD } from "./deployer-protocol.js";
import { entryFromPino, nowMicros, type LogEntry } from "../logs/log-entry.js";
import { REPLICA_ENV, type ReplicaArgs } from "./replica-args.js";

/** How to start a replica. */
export interface EnvelopeOptions {
  /** The app's compiled entry (a .js file runs with this Node) or executable. */
  readonly binary: string;
  readonly args: readonly string[];
  /** The environment of the process, before SERVICEWEAVER_CONFIG and WEAVER_REPLICA are added. */
  readonly env: NodeJS.ProcessEnv;
  /** The config file the app reads. */
  readonly configFile: string;
  readonly app: string;
  /** The replica's arguments; the envelope sets logFd, protocol and listenerFds. */
  readonly replica: Omit<ReplicaArgs, "logFd" | "protocol" | "listenerFds">;
  /**
   * Listening sockets of the deployer the replica inherits, by listener name: their file
   * descriptors here. The replica accepts on them itself (see ReplicaArgs.listenerFds).
   */
  readonly listenerFds?: Readonly<Record<string, number>>;
  /** Receives every log entry of the process, in order per stream. */
  readonly onEntry: (entry: LogEntry) => void;
}

/** How a replica process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One running replica process. */
export class Envelope {
  readonly #child: ChildProcess;
  /** Settles when the process has exited and its output is read. */
  readonly exited: Promise<Exit>;

  constructor(options: EnvelopeOptions) {
    // Inherited sockets take the descriptors after the log's, one per listener, in the order given.
    const inherited = Object.entries(options.listenerFds ?? {});
    const listenerFds = Object.fromEntries(inherited.map(([name], i) => [name, LOG_FD + 1 + i]));
    const replica: ReplicaArgs = {
      ...options.replica,
      logFd: LOG_FD,
      protocol: DEPLOYER_PROTOCOL_VERSION,
      ...(inherited.length === 0 ? {} : { listenerFds }),
    };
    const env = { ...options.env, SERVICEWEAVER_CONFIG: options.configFile, [REPLICA_ENV]: JSON.stringify(replica) };
    const [command, args] = appCommand(options.binary, options.args);
    const stdio: StdioOptions = ["pipe", "pipe", "pipe", "pipe", ...inherited.map(([, fd]) => fd)];
    this.#child = spawn(command, args, { env, stdio });
    const raw =
      (level: "stdout" | "stderr") =>
      (msg: string): void =>
        options.onEntry({
          app: options.app,
          version: replica.deployment,
          component: level,
          node: replica.id,
          time: nowMicros(),
          level,
          file: "",
          line: -1,
          msg,
          attrs: {},
        });
    const json = (line: string): void => {
      try {
        options.onEntry(entryFromPino(line));
      } catch {
        raw("stderr")(line); // not JSON: show it as it is rather than lose it
      }
    };
    const streams = [
      lines(this.#child.stdout!, raw("stdout")),
      lines(this.#child.stderr!, raw("stderr")),
      lines(this.#child.stdio[LOG_FD] as Readable, json),
    ];
    // stdin stays open and unwritten; the replica exits when it closes (the deployer is gone).
    this.#child.stdin!.on("error", () => {});
    this.exited = new Promise<Exit>((resolve) => {
      let exit: Exit | undefined;
      this.#child.once("error", () => resolve({ code: 127, signal: null }));
      this.#child.once("exit", (code, signal) => {
        exit = { code, signal };
        void Promise.all(streams).then(() => resolve(exit as Exit));
      });
    });
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Asks the replica to drain and exit; kills it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<Exit> {
    if (this.running) this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process at once. */
  kill(): void {
    if (this.running) this.#child.kill("SIGKILL");
  }
}

/** Calls `onLine` for every line of a stream; settles when the stream ends. */
function lines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on("line", onLine);
    rl.once("close", () => resolve());
    stream.once("error", () => resolve());
  });
}
