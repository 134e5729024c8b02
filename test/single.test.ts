// The single-process runtime, as a user runs it: real processes, real sockets, real HTTP.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const BANNER =
  /^╭─{51}╮\n│ app {8}: (\S+) +│\n│ deployment : ([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}) │\n╰─{51}╯\n/;
const reverser = join(ROOT, "examples/reverser/dist/main.js");
const hello = join(ROOT, "examples/hello/dist/main.js");
const tmp = mkdtempSync(join(tmpdir(), "weaver-single-"));

afterEach(stopAll);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function config(text: string): string {
  const file = join(tmp, `weaver-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, text);
  return file;
}

describe("single process", () => {
  it("prints the banner first, with a fresh UUID v4 each run", async () => {
    const a = await runToEnd(process.execPath, [hello]);
    const b = await runToEnd(process.execPath, [hello]);
    expect(a.code).toBe(0);
    const ma = a.stdout.match(BANNER);
    const mb = b.stdout.match(BANNER);
    expect(ma?.[1]).toBe("hello");
    expect(a.stdout.slice(ma![0].length)).toBe("Hello, World\n");
    expect(ma?.[2]).not.toBe(mb?.[2]);
  });

  it("serves the reverser example on a random port printed as [::]:<port>", async () => {
    const app = new TestProcess(process.execPath, [reverser]);
    const [, port] = await app.waitFor(/http listener available on \[::\]:(\d+)\n/);
    expect(app.stdout).toMatch(BANNER);
    const reverse = await fetch(`http://127.0.0.1:${port}/reverse?name=abcdefg`);
    expect(await reverse.text()).toBe("after reversing, name is gfedcba\n");
    const convert = await fetch(`http://127.0.0.1:${port}/convert?name=abcdefg`);
    expect(await convert.text()).toBe("after converting, name is ABCDEFG\n");
    const world = await fetch(`http://127.0.0.1:${port}/reverse`);
    expect(await world.text()).toBe("after reversing, name is dlroW\n");
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it("binds the address of [single] listeners.lis, resolved (localhost shows as 127.0.0.1)", async () => {
    const file = config('[single]\nlisteners.lis = {address = "localhost:0"}\n');
    const app = new TestProcess(process.execPath, [reverser], { env: { SERVICEWEAVER_CONFIG: file } });
    const [, port] = await app.waitFor(/http listener available on 127\.0\.0\.1:(\d+)\n/);
    const res = await fetch(`http://127.0.0.1:${port}/convert?name=weaver`);
    expect(await res.text()).toBe("after converting, name is WEAVER\n");
  });

  it("stops gracefully on SIGTERM and SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const app = new TestProcess(process.execPath, [reverser]);
      await app.waitFor(/http listener available on/);
      const { code } = await app.stop(signal);
      expect(code).toBe(0);
    }
  });

  it("refuses to start on a bad config, naming the file, section and key", async () => {
    const file = config('[serviceweaver]\nname = "x"\nbinry = "./a.js"\n\n["reverser/Nope"]\nx = 1\n');
    const run = await runToEnd(process.execPath, [reverser], { env: { SERVICEWEAVER_CONFIG: file } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain("[serviceweaver] binry: unknown key");
    expect(run.stdout).toBe("");
  });

  it("refuses a listener address that is in use, with the fix", async () => {
    const first = new TestProcess(process.execPath, [reverser], {
      env: { SERVICEWEAVER_CONFIG: config('[single]\nlisteners.lis = {address = "127.0.0.1:0"}\n') },
    });
    const [, port] = await first.waitFor(/available on 127\.0\.0\.1:(\d+)/);
    const file = config(`[single]\nlisteners.lis = {address = "127.0.0.1:${port}"}\n`);
    const second = await runToEnd(process.execPath, [reverser], { env: { SERVICEWEAVER_CONFIG: file } });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`listener lis cannot listen on 127.0.0.1:${port}: address already in use`);
  });

  it("refuses a listener host that does not resolve, in one line with the fix", async () => {
    const file = config('[single]\nlisteners.lis = {address = "nonexistent.invalid:8080"}\n');
    const run = await runToEnd(process.execPath, [reverser], { env: { SERVICEWEAVER_CONFIG: file } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^weaver: listener lis cannot listen on nonexistent\.invalid:8080: host nonexistent\.invalid does not resolve \(E[A-Z_]+\); correct the host name, use an IP address of this machine \(127\.0\.0\.1 for this machine only\), or leave the host out \(":8080"\) to listen on every interface\n$/,
    );
  });

  it("refuses to start when the main file does not import the generated code, saying what to add", async () => {
    const dir = copyDist("examples/hello");
    const main = join(dir, "main.js");
    writeFileSync(main, readFileSync(main, "utf8").replace('import "./weaver_gen.js";', ""));
    const run = await runToEnd(process.execPath, [main]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'weaver: run(App) found no generated code: add `import "./weaver_gen.js";` at the top of the file that calls run() (`weaver generate` writes weaver_gen.ts beside it), then rebuild\n',
    );
  });

  it("fails at once, naming the file, when the generated code is missing", async () => {
    const dir = copyDist("examples/hello");
    rmSync(join(dir, "weaver_gen.js"));
    const run = await runToEnd(process.execPath, [join(dir, "main.js")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Cannot find module '${join(dir, "weaver_gen.js")}'`);
  });

  it("refuses to start when the sources changed after weaver generate (a new ref)", async () => {
    const dir = copyDist("examples/reverser");
    const main = join(dir, "main.js");
    // What tsc emits when a ref is added to App and the app is rebuilt without regenerating.
    writeFileSync(main, readFileSync(main, "utf8").replace("lis = listener();", "lis = listener();\n    extra = ref();"));
    const run = await runToEnd(process.execPath, [main]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "weaver: generated code is older than the sources of App (src/main.ts): ref extra is new; run `weaver generate` and rebuild",
    );
  });
});

describe("stale generated code", () => {
  it("refuses to start when a component's method was renamed after weaver generate, naming the method", async () => {
    const dir = copyDist("examples/reverser");
    const impl = join(dir, "reverser.js");
    // What tsc emits (without noEmitOnError) when Reverser.reverse is renamed and the app rebuilt without regenerating.
    writeFileSync(impl, readFileSync(impl, "utf8").replace("async reverse(s)", "async reverseText(s)"));
    const run = await runToEnd(process.execPath, [join(dir, "main.js")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "weaver: generated code is older than the sources of ReverserImpl (src/reverser.ts): it calls Reverser.reverse, which ReverserImpl no longer has (renamed or removed); run `weaver generate` and rebuild",
    );
  });
});

/** Copies an app's compiled output to a fresh folder inside the repository (so packages resolve). */
function copyDist(app: string): string {
  const dir = mkdtempSync(join(ROOT, "test", ".tmp-dist-"));
  copies.push(dir);
  cpSync(join(ROOT, app, "dist"), dir, { recursive: true });
  return dir;
}
const copies: string[] = [];
afterAll(() => {
  for (const d of copies) rmSync(d, { recursive: true, force: true });
});
