// weaver dev, as a user meets it: an app from create-weaver, run with `weaver dev`, edited as an
// editor saves (a new file renamed over the old); each good save is served on the same port within
// seconds, a bad one prints its errors and the last good version keeps serving, and Ctrl-C leaves
// nothing running.
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, runToEnd, stopAll, TestProcess } from "./support/process.js";

// Inside the checkout, so that the app finds @weaver/core, @weaver/cli and typescript in its node_modules.
const work = mkdtempSync(join(ROOT, "test", ".tmp-dev-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(stopAll);

/** Scaffolds an app named `name` whose listener `web` is on a free port; returns its folder and port. */
async function newApp(name: string): Promise<{ dir: string; port: number }> {
  const created = await runToEnd(process.execPath, [join(ROOT, "packages/create-weaver/bin/create-weaver.js"), name, "--no-install"], {
    cwd: work,
  });
  expect(created.code, created.stderr).toBe(0);
  const dir = join(work, name);
  const port = await freePort();
  const toml = join(dir, "weaver.toml");
  writeFileSync(toml, readFileSync(toml, "utf8").replaceAll("localhost:8080", `127.0.0.1:${port}`));
  return { dir, port };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Saves the file as editors do: a new file renamed over the old one. */
function save(dir: string, file: string, edit: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(`${path}.swp`, edit(readFileSync(path, "utf8")));
  renameSync(`${path}.swp`, path);
}

async function answer(port: number): Promise<string> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/?name=ada`)).text()).trim();
  } catch {
    return "(no answer)";
  }
}

/** Waits until the app answers `expected`, and fails with the last answer and weaver dev's output otherwise. */
async function answers(port: number, expected: string, dev: TestProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = await answer(port);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `the app answered ${JSON.stringify(last)}, not ${JSON.stringify(expected)}\nstdout:\n${dev.stdout}\nstderr:\n${dev.stderr}`,
  );
}

/** The processes of a process group, from /proc. */
function group(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Ctrl-C to weaver dev alone (its app is not told): it must stop the app itself before it exits. */
async function interrupt(dev: TestProcess): Promise<{ code: number | null; left: number[] }> {
  const pid = dev.child.pid as number;
  const members = group(pid).filter((p) => p !== pid);
  expect(members.length).toBeGreaterThan(0);
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<number | null>((resolve, reject) => {
    dev.child.once("exit", (code) => resolve(code));
    timer = setTimeout(
      () => reject(new Error(`weaver dev did not exit within 20 s of Ctrl-C\nstdout:\n${dev.stdout}\nstderr:\n${dev.stderr}`)),
      20_000,
    );
  });
  process.kill(pid, "SIGINT");
  const code = await exited.finally(() => clearTimeout(timer));
  // At weaver dev's exit (before the test's cleanup kills its group): which of its processes live on?
  return { code, left: members.filter((p) => group(pid).includes(p)) };
}

describe("weaver dev", () => {
  it("serves each good save on the same port, keeps the last good version through errors, and leaves nothing at Ctrl-C", async () => {
    const { dir, port } = await newApp("dev-single");
    const dev = new TestProcess(process.execPath, [join(ROOT, "packages/cli/bin/weaver.js"), "dev"], { cwd: dir });
    await dev.waitFor(/weaver dev: watching \. for changes/, 60_000);
    await answers(port, "Hello, Ada!", dev);

    save(dir, "src/greeter.ts", (t) => t.replace("`Hello, ${tidy}!`", "`Hey, ${tidy}!`"));
    await dev.waitFor(/weaver dev: restarted with src\/greeter\.ts in \d+ ms/);
    await answers(port, "Hey, Ada!", dev);

    // A compile error: printed as tsc prints it, and the running version stays.
    save(dir, "src/greeter.ts", (t) => t.replace("return `Hey", "return (`Hey"));
    await dev.waitFor(
      /src\/greeter\.ts:15:\d+: error TS1005: '\)' expected\.\nweaver dev: 1 compile error; the last good version keeps serving/,
    );
    expect(await answer(port)).toBe("Hey, Ada!");

    // A generator error, the same.
    save(dir, "src/greeter.ts", (t) =>
      t.replace("return (`Hey", "return `Hey").replace("greet(name: string): Promise<string>;", "greet(name: string): string;"),
    );
    await dev.waitFor(
      /src\/greeter\.ts:6:3: Greeter\.greet is not async[^\n]*\nweaver dev: the generator found problems; the last good version keeps serving/,
    );
    expect(await answer(port)).toBe("Hey, Ada!");

    // A new file in a new folder counts too.
    save(dir, "src/greeter.ts", (t) =>
      t
        .replace("greet(name: string): string;", "greet(name: string): Promise<string>;")
        .replace("`Hey, ${tidy}!`", "`${greeting}, ${tidy}!`")
        .replace(
          'import type { Names } from "./names.js";',
          'import type { Names } from "./names.js";\nimport { greeting } from "./words/greeting.js";',
        ),
    );
    await dev.waitFor(/src\/greeter\.ts:\d+:\d+: error TS2307: Cannot find module '\.\/words\/greeting\.js'/);
    rmSync(join(dir, "src/words"), { recursive: true, force: true });
    writeFileSync(join(work, "greeting.ts"), 'export const greeting = "Hiya";\n');
    const words = mkdtempSync(join(work, "words-"));
    renameSync(join(work, "greeting.ts"), join(words, "greeting.ts"));
    renameSync(words, join(dir, "src/words"));
    await answers(port, "Hiya, Ada!", dev);

    const { code, left } = await interrupt(dev);
    expect(code).toBe(0);
    expect(left).toEqual([]);
    expect(dev.stderr).not.toMatch(/could not rebuild/);
  }, 120_000);

  it("--multi restarts the replicated deployment with the new code, and Ctrl-C leaves no process and no socket folder", async () => {
    const { dir, port } = await newApp("dev-multi");
    // Its socket folders go to a folder of its own: other tests' deployments make theirs in the shared tmpdir meanwhile.
    const sockets = mkdtempSync(join(work, "sockets-"));
    const dev = new TestProcess(process.execPath, [join(ROOT, "packages/cli/bin/weaver.js"), "dev", "--multi", "weaver.toml"], {
      cwd: dir,
      env: { XDG_RUNTIME_DIR: sockets },
    });
    await dev.waitFor(/weaver dev: watching \. for changes/, 60_000);
    await answers(port, "Hello, Ada!", dev);
    save(dir, "src/names.ts", (t) => t.replace(/return [^;]+;/, 'return "Grace";'));
    await dev.waitFor(/weaver dev: restarted with src\/names\.ts in \d+ ms/, 30_000);
    // Ready before it says so: the first request after the message meets the new version.
    expect(await answer(port)).toBe("Hello, Grace!");

    const { code, left } = await interrupt(dev);
    expect(code).toBe(0);
    expect(left).toEqual([]);
    expect(readdirSync(sockets)).toEqual([]);
  }, 120_000);
});
