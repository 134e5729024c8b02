/**
 * The commands' side of the manager (see manager-server.ts): finds the running manager, or starts
 * one (the same weaver CLI, detached in its own process group, its output in manager.log), and
 * sends it requests. A lock file (created exclusively, holding the starter's pid) makes sure two
 * commands run at once do not start two managers; a lock whose holder died is taken over.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive, managerDir, managerFile, managerPid } from "./manager-files.js";

/** How long a starting manager may take to listen. */
const START_TIMEOUT_MS = 20_000;

/** An answer of the manager that says the request cannot be done. */
export class ManagerError extends Error {}

/** Sends a request to the manager; rejects with ManagerError for its `{ error }` answers, with the socket error when none runs. */
export function ask<T>(path: string, body: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: managerFile("manager.sock"), path, method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => {
          try {
            const answer = JSON.parse(text) as T & { error?: string };
            if (answer.error !== undefined) reject(new ManagerError(answer.error));
            else resolve(answer);
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** Whether a manager answers on the socket. */
export async function managerRunning(): Promise<boolean> {
  if (managerPid() === undefined) return false;
  return ask("/list", {}).then(
    () => true,
    () => false,
  );
}

/** Makes sure a manager runs, starting one when none does. */
export async function ensureManager(): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await managerRunning())) {
    if (Date.now() > deadline) {
      throw new ManagerError(
        `the manager of detached deployments did not start within ${START_TIMEOUT_MS / 1000}s; see ${managerFile("manager.log")}`,
      );
    }
    if (takeLock()) {
      try {
        startManager();
        while (!(await managerRunning())) {
          if (Date.now() > deadline) break;
          await sleep(50);
        }
      } finally {
        rmSync(managerFile("manager.lock"), { force: true });
      }
    } else {
      await sleep(50);
    }
  }
}

/** Takes the start lock; false when a live command holds it. */
function takeLock(): boolean {
  managerDir();
  const lock = managerFile("manager.lock");
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
    return true;
  } catch {
    const holder = Number(readFileSync(lock, { encoding: "utf8", flag: "r" }).trim() || "0");
    if (holder > 0 && isAlive(holder)) return false;
    rmSync(lock, { force: true }); // its holder died while starting a manager
    return false;
  }
}

/** Starts `weaver multi manager` detached, with its output appended to manager.log. */
function startManager(): void {
  const log = openSync(managerFile("manager.log"), "a", 0o600);
  try {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, "multi", "manager"], {
      detached: true,
      stdio: ["ignore", log, log],
      cwd: "/",
    });
    child.unref();
  } finally {
    closeSync(log);
  }
}
