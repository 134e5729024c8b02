/**
 * The manager of detached deployments (`weaver multi manager`, started by `deploy --detach`):
 * one process per user that runs Deployment objects exactly as a foreground deploy does (same
 * registration, so status, logs, metrics, profile and the dashboard see them unchanged) and owns
 * their listener proxies, so that later versions of an app can share a listener with it.
 *
 * Protocol overview: HTTP/1.1 on the Unix socket <data>/multi/manager/manager.sock (in a 0700
 * folder: only its user can connect). Every request is a POST with a JSON body; every answer is
 * JSON, `{ error }` with status 400 or 404 when the request cannot be done.
 *
 *   /deploy   { file }                         -> { deployment, app, listeners, rollout? } once ready
 *   /stop     { target }                       -> { stopped: [ids] }   target: app or id prefix
 *   /kill     { app }                          -> { stopped: [ids] }   every version of the app
 *   /restart  { target }                       -> { restarted: [ids] } replicas one at a time
 *   /scale    { target, group, replicas }      -> { scaled: id }
 *   /list     {}                               -> { deployments: [{ deployment, app }] }
 *
 * Every listener of a detached app is served by a front (front.ts) that the manager owns. Deploying
 * an app that already runs with `[serviceweaver] rollout` set starts the new version behind the
 * old version's fronts with no traffic and rolls out to it (rollout.ts); /deploy answers once it is
 * ready, with `rollout` naming the old version. Then the version that lost stops.
 *
 * The manager exits once its last deployment has ended, removing its socket and pid file; on
 * SIGTERM it drains every deployment first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { rmSync, writeFileSync } from "node:fs";
import { loadDeployable } from "@weaver/runtime";
import { Deployment } from "./deployment.js";
import { MULTI_SECTION } from "./groups.js";
import { Front } from "./front.js";
import { managerDir, managerFile, removeRecord, writeRecord } from "./manager-files.js";
import { Rollout } from "./rollout.js";

/** A deployment the manager runs. */
interface Managed {
  readonly deployment: Deployment;
  readonly app: string;
  readonly file: string;
  /** Its listeners' fronts, by listener name: the same map as the old version's during a rollout. */
  readonly fronts: Map<string, Front>;
}

/** The most replicas `scale` may ask for (as [multi] replicas). */
const MAX_REPLICAS = 64;
/** How long a stopped version's requests in progress at the fronts may take. */
const DRAIN_MS = 10_000;
/** Restarts of one replica of a new version that roll it back: it is crash-looping. */
const CRASH_LOOP_RESTARTS = 2;

/** Why a new version must be rolled back (a replica crash-looping), or undefined. */
function problemOf(deployment: Deployment): string | undefined {
  for (const g of deployment.status().groups) {
    for (const [i, r] of g.replicas.entries()) {
      if (r.restarts >= CRASH_LOOP_RESTARTS)
        return `replica ${i} of ${g.name} restarted ${r.restarts} times: it is crash-looping (see \`weaver multi logs\`)`;
    }
  }
  return undefined;
}

/** A replica that failed its health checks (it is restarted at once, so only a change shows it), or undefined. */
function unhealthyOf(deployment: Deployment): string | undefined {
  for (const g of deployment.status().groups) {
    const i = g.replicas.findIndex((r) => r.state === "unhealthy");
    if (i >= 0) return `replica ${i} of ${g.name} failed its health checks (see \`weaver multi logs\`)`;
  }
  return undefined;
}

/** An answer the client shows as `weaver: <message>`. */
class RequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Runs the manager until its last deployment ends; resolves then. */
export async function runManager(): Promise<void> {
  const managed = new Map<string, Managed>();
  /** The latest rollout of each app. */
  const rollouts = new Map<string, Rollout>();
  const trafficOf = (app: string) => {
    const maps = new Set([...managed.values()].filter((m) => m.app === app).map((m) => m.fronts));
    const traffic = [...maps].flatMap((map) =>
      [...map.values()].flatMap((f) => f.shares().map((s) => ({ host: f.address, listener: f.name, ...s }))),
    );
    const rollout = rollouts.get(app)?.status();
    return { traffic, ...(rollout === undefined ? {} : { rollout }) };
  };
  let served = false;
  let done = (): void => {};
  const finished = new Promise<void>((resolve) => (done = resolve));

  const record = (m: Managed): void => {
    if (!managed.has(m.deployment.id)) return;
    const s = m.deployment.status();
    writeRecord({
      deployment: m.deployment.id,
      app: m.app,
      file: m.file,
      manager: process.pid,
      socketDir: m.deployment.socketDir,
      replicas: s.groups.flatMap((g) => g.replicas.map((r) => r.pid)).filter((p) => p > 0),
    });
  };
  const end = async (m: Managed): Promise<void> => {
    await Promise.all([...m.fronts.values()].map((f) => f.remove(m.deployment.id, DRAIN_MS)));
    await m.deployment.stop();
    managed.delete(m.deployment.id);
    removeRecord(m.deployment.id);
    // Checked with no await since the delete: of two versions ended at once, the last closes the
    // fronts they share; a rollout's status goes with the app's last deployment.
    const others = [...managed.values()];
    if (!others.some((o) => o.app === m.app)) rollouts.delete(m.app);
    if (!others.some((o) => o.fronts === m.fronts)) await Promise.all([...m.fronts.values()].map((f) => f.close()));
  };
  // Exits once nothing runs, and never before an answer in progress is written.
  let answering = 0;
  const maybeDone = (): void => {
    if (managed.size === 0 && served && answering === 0) done();
  };
  const find = (target: string): Managed[] => {
    const found = [...managed.values()].filter((m) => m.app === target || m.deployment.id.startsWith(target));
    if (found.length === 0)
      throw new RequestError(`no detached deployment is named ${target} (an app name or a deployment id prefix)`, 404);
    return found;
  };
  const one = (target: string): Managed => {
    const found = find(target);
    if (found.length > 1)
      throw new RequestError(
        `${target} names ${found.length} deployments; give a deployment id prefix: ${found.map((m) => m.deployment.id.slice(0, 8)).join(", ")}`,
      );
    return found[0] as Managed;
  };

  const routes: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    "/deploy": async (body) => {
      const file = String(body["file"]);
      const { config, manifest, binary } = loadDeployable(file, [MULTI_SECTION]);
      const app = config.name ?? manifest.app;
      // Map order is start order: the last of the app is its newest version.
      const previous = [...managed.values()].filter((o) => o.app === app).at(-1);
      const rolloutMs = previous === undefined ? undefined : config.rolloutMs;
      if (rolloutMs !== undefined && rollouts.get(app)?.running)
        throw new RequestError(
          `a rollout of ${app} is in progress; deploy again once \`weaver multi status\` shows it done or rolled back`,
        );
      const fronts = rolloutMs !== undefined && previous !== undefined ? previous.fronts : new Map<string, Front>();
      const front = async (name: string, configured: string | undefined): Promise<string> => {
        let f = fronts.get(name);
        if (f === undefined) {
          f = new Front(name);
          await f.listen(configured ?? ":0");
          fronts.set(name, f);
        }
        return f.address;
      };
      let m: Managed | undefined;
      // The first failure of the new version's health checks, latched for its rollout.
      let unhealthy: string | undefined;
      const deployment = new Deployment({
        config,
        manifest,
        binary,
        app,
        print: false,
        onChange: () => {
          if (m !== undefined) record(m);
          unhealthy ??= unhealthyOf(deployment);
        },
        front,
        traffic: () => trafficOf(app),
      });
      m = { deployment, app, file, fronts };
      managed.set(deployment.id, m);
      served = true;
      try {
        await deployment.start();
        await Promise.race([deployment.ready(), deployment.failed.then((message) => Promise.reject(new RequestError(message)))]);
      } catch (e) {
        await end(m);
        throw e;
      }
      deployment.system("info", `every replica is ready; listeners: ${JSON.stringify(deployment.listeners)}`);
      for (const [name, f] of fronts) {
        const address = deployment.proxyAddresses[name];
        if (address !== undefined) f.add(deployment.id, address, rolloutMs === undefined ? 1 : 0);
      }
      const running = m;
      let failure: string | undefined;
      void deployment.failed.then((message) => (failure = message));
      if (rolloutMs !== undefined && previous !== undefined) {
        const rollout = new Rollout({
          fronts: [...fronts.values()],
          from: previous.deployment.id,
          to: deployment.id,
          durationMs: rolloutMs,
          problem: () =>
            managed.has(deployment.id) ? (failure ?? unhealthy ?? problemOf(deployment)) : "it was stopped during the rollout",
          log: (message) => {
            deployment.system("info", message);
            previous.deployment.system("info", message);
          },
        });
        rollouts.set(app, rollout);
        void rollout.run().then(async (outcome) => {
          await end(outcome === "done" ? previous : running);
          maybeDone();
        });
      }
      void deployment.failed.then(async (message) => {
        deployment.system("error", message);
        await end(running);
        maybeDone();
      });
      return {
        deployment: deployment.id,
        app,
        listeners: deployment.listeners,
        ...(rolloutMs !== undefined && previous !== undefined ? { rollout: previous.deployment.id } : {}),
      };
    },
    "/stop": async (body) => {
      const found = find(String(body["target"]));
      await Promise.all(found.map(end));
      return { stopped: found.map((m) => m.deployment.id) };
    },
    "/kill": async (body) => {
      const app = String(body["app"]);
      const found = [...managed.values()].filter((m) => m.app === app);
      if (found.length === 0) throw new RequestError(`no detached deployment of app ${app} runs`, 404);
      await Promise.all(found.map(end));
      return { stopped: found.map((m) => m.deployment.id) };
    },
    "/restart": async (body) => {
      const found = find(String(body["target"]));
      for (const m of found) await m.deployment.restart();
      return { restarted: found.map((m) => m.deployment.id) };
    },
    "/scale": async (body) => {
      const m = one(String(body["target"]));
      const name = String(body["group"]);
      const n = Number(body["replicas"]);
      const group = m.deployment.group(name);
      if (group === undefined) {
        const names = m.deployment.status().groups.map((g) => g.name);
        throw new RequestError(`deployment ${m.deployment.id.slice(0, 8)} has no group ${name}; its groups are ${names.join(", ")}`);
      }
      if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS)
        throw new RequestError(`${name}=${String(body["replicas"])}: the replica count must be a whole number from 1 to ${MAX_REPLICAS}`);
      await m.deployment.scale(group, n);
      return { scaled: m.deployment.id };
    },
    "/list": async () => ({ deployments: [...managed.values()].map((m) => ({ deployment: m.deployment.id, app: m.app })) }),
  };

  const server = createServer((req, res) => void handle(req, res));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    answering++;
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body), () => {
        answering--;
        maybeDone();
      });
    };
    try {
      const route = routes[req.url ?? ""];
      if (route === undefined || req.method !== "POST") throw new RequestError(`no such request: ${req.method} ${req.url}`, 404);
      let text = "";
      for await (const chunk of req) text += String(chunk);
      reply(200, await route(JSON.parse(text === "" ? "{}" : text) as Record<string, unknown>));
    } catch (e) {
      reply(e instanceof RequestError ? e.status : 400, { error: e instanceof Error ? e.message : String(e) });
    }
  };

  managerDir();
  const sock = managerFile("manager.sock");
  rmSync(sock, { force: true });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(sock, resolve));
  writeFileSync(managerFile("manager.pid"), `${process.pid}\n`, { mode: 0o600 });
  const onSignal = (): void => void Promise.all([...managed.values()].map(end)).then(() => done());
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // A manager nobody asks to deploy anything (its starter died) does not stay around.
  const idle = setTimeout(() => served || done(), 60_000);
  try {
    await finished;
  } finally {
    clearTimeout(idle);
    server.close();
    server.closeAllConnections();
    rmSync(sock, { force: true });
    rmSync(managerFile("manager.pid"), { force: true });
  }
}
