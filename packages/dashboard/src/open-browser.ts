/**
 * Opening a URL in the user's default browser, as `weaver multi dashboard` does after printing it:
 * $BROWSER when set, else `open` on macOS, `start` on Windows, and xdg-open elsewhere when a
 * graphical session runs. Where there is no browser (a server, CI, a container) nothing happens;
 * the printed URL is the way in.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The command that would open `url` here, or undefined when there is no browser to open. */
export function browserCommand(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): [string, string[]] | undefined {
  const browser = env["BROWSER"];
  if (browser !== undefined && browser !== "") return [browser, [url]];
  if (platform === "darwin") return ["open", [url]];
  if (platform === "win32") return ["cmd", ["/c", "start", '""', url]];
  if (env["DISPLAY"] === undefined && env["WAYLAND_DISPLAY"] === undefined) return undefined;
  return onPath("xdg-open", env) ? ["xdg-open", [url]] : undefined;
}

/** Opens `url` in the default browser when there is one; never throws, never waits. */
export function openBrowser(url: string): boolean {
  const command = browserCommand(url);
  if (command === undefined) return false;
  try {
    const child = spawn(command[0], command[1], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env["PATH"] ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
