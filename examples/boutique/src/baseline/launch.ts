/**
 * The baseline: the Online Boutique as ten HTTP/JSON services, one process each, as a Node team
 * would deploy it without Weaver. `node launch.js [port]` starts them in dependency order on free
 * ports of 127.0.0.1 (the frontend on `port`, default 8091), prints
 * `baseline available on http://127.0.0.1:<port>` once all serve, and stops them all on SIGINT or
 * SIGTERM, or when one of them exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

const SERVICE = new URL("./service.js", import.meta.url);

/** Each service and the services it calls; listed callee first. */
const ORDER: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["catalog", []],
  ["currency", []],
  ["cart", []],
  ["shipping", []],
  ["payment", []],
  ["email", []],
  ["ad", []],
  ["recommendation", ["catalog"]],
  ["checkout", ["catalog", "currency", "cart", "shipping", "payment", "email"]],
  ["frontend", ["catalog", "currency", "cart", "recommendation", "shipping", "checkout", "ad"]],
];

const children: ChildProcess[] = [];
let stopping = false;

function stopAll(code: number): void {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 200).unref();
  process.exitCode = code;
}

function start(name: string, ports: Map<string, number>, deps: readonly string[], port: number): Promise<number> {
  const env = {
    ...process.env,
    BOUTIQUE_DEPS: JSON.stringify(Object.fromEntries(deps.map((d) => [d, ports.get(d)]))),
    BOUTIQUE_PORT: String(port),
  };
  const child = spawn(process.execPath, [SERVICE.pathname, name], { env, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  child.once("exit", (code) => {
    if (!stopping) {
      console.error(`baseline: service ${name} exited with ${code}; stopping the others`);
      stopAll(1);
    }
  });
  return new Promise((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^\S+ listening on (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
      else console.log(`${name}: ${line}`);
    });
  });
}

const frontendPort = Number(process.argv[2] ?? "8091");
const ports = new Map<string, number>();
for (const [name, deps] of ORDER) ports.set(name, await start(name, ports, deps, name === "frontend" ? frontendPort : 0));
console.log(`baseline available on http://127.0.0.1:${ports.get("frontend")}`);
for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => stopAll(0));
