/**
 * create-weaver: `npm create weaver@latest my-app` writes a standalone Weaver app in the folder
 * my-app (two components, a listener, a test, the scripts to build, test and deploy it), installs
 * its dependencies and generates its code. `--packs <dir>` installs Weaver from the package
 * tarballs in a folder (`npm run pack` in a checkout writes them) instead of the registry.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { scaffold, type Source } from "./scaffold.js";

const USAGE = `Usage: npm create weaver@latest <folder> [-- --packs <dir>] [--no-install]

Writes a Weaver app in <folder>, installs its dependencies and generates its code.

  --packs <dir>   install Weaver from the tarballs in <dir> (npm run pack in a checkout)
  --no-install    only write the files
  -h, --help      print this help
`;

/** Runs create-weaver with `argv` (without node and script); returns the exit status. */
export function main(argv: readonly string[]): number {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${USAGE}`, 2);
  }
  if (args.values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [folder, ...extra] = args.positionals;
  if (folder === undefined || extra.length > 0) return fail(`give one folder to create the app in\n\n${USAGE}`, 2);
  const dir = resolve(folder);
  const name = basename(dir);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    return fail(
      `the app's name is its folder's, and "${name}" is not a valid npm package name: use lowercase letters, digits, - . and _`,
      2,
    );
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) return fail(`${folder} is not empty: give a new folder, or an empty one`, 1);
  let source: Source;
  try {
    source = args.values.packs === undefined ? { kind: "registry" } : { kind: "packs", dir: resolve(args.values.packs) };
    scaffold(dir, name, source);
  } catch (e) {
    return fail((e as Error).message, 1);
  }
  process.stdout.write(`Wrote the Weaver app ${name} in ${dir}.\n`);
  const install = args.values["no-install"] !== true;
  if (install) {
    for (const [what, command] of [
      ["Installing its dependencies", ["npm", "install", "--no-audit", "--no-fund"]],
      ["Generating its code", ["npx", "--no-install", "weaver", "generate", "."]],
    ] as const) {
      process.stdout.write(`${what}: ${command.join(" ")}\n`);
      const run = spawnSync(command[0], command.slice(1), { cwd: dir, stdio: "inherit" });
      if (run.status !== 0)
        return fail(
          `${command.join(" ")} failed in ${dir} (status ${run.status ?? run.signal}); fix what it printed and run it again there`,
          1,
        );
    }
  }
  process.stdout.write(
    `\nNext:\n  cd ${folder}\n${install ? "" : "  npm install\n"}  npm test\n  npm run deploy          # then: curl 'localhost:8080/?name=ada'\n`,
  );
  return 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { packs: { type: "string" }, "no-install": { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
}

function fail(message: string, code: number): number {
  process.stderr.write(`create-weaver: ${message}\n`);
  return code;
}
