import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { stopDeployer } from "./stop-deployer.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Starts a stand-in deployer that prints "ready" once its SIGTERM handler is in place. */
async function deployer(onTerm: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["-e", `process.on("SIGTERM", () => { ${onTerm} }); setInterval(() => {}, 1000); console.log("ready");`],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  await once(child.stdout as NodeJS.ReadableStream, "data");
  return child;
}

describe("stopDeployer", () => {
  it("sends SIGTERM and waits for the deployer to exit", async () => {
    const child = await deployer("setTimeout(() => process.exit(0), 100);"); // drains for a while
    const exit = once(child, "exit");
    expect(await stopDeployer(child.pid as number)).toBe("exited");
    expect(await exit).toEqual([0, null]);
  });

  it("kills a deployer that does not exit within the grace period", async () => {
    const child = await deployer("/* ignored */");
    const exit = once(child, "exit");
    expect(await stopDeployer(child.pid as number, { graceMs: 200 })).toBe("killed");
    expect(await exit).toEqual([null, "SIGKILL"]);
  });

  it("tells when there is no such process any more", async () => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(child, "exit");
    expect(await stopDeployer(child.pid as number)).toBe("gone");
  });
});
