/** For tests: runs deploy in this process with a fixed deployment id, its output captured. */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import { DEPLOYMENT_ID_ENV, deploy, type DeployOptions } from "./deploy-command.js";

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** A fresh folder inside the checkout (tests' temp folders are named .tmp-*). */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(ROOT, `.tmp-kube-${prefix}-`));
}

/** Runs deploy on `file` with deployment id `id`; returns what it printed. */
export function runDeploy(file: string, id: string, options: DeployOptions = {}): string {
  let printed = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  const before = process.env[DEPLOYMENT_ID_ENV];
  process.env[DEPLOYMENT_ID_ENV] = id;
  try {
    deploy(file, options);
  } finally {
    spy.mockRestore();
    if (before === undefined) delete process.env[DEPLOYMENT_ID_ENV];
    else process.env[DEPLOYMENT_ID_ENV] = before;
  }
  return printed;
}
