/**
 * Secret references in config values: `${env:NAME}` reads an environment variable and
 * `${file:PATH}` reads a file (trailing newline removed; a relative path is relative to the config
 * file's folder, like [serviceweaver] binary). References are resolved only in the
 * app process; deployers pass them through unresolved, and no resolved value is ever printed.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { runtimeError } from "../errors.js";

const SECRET_REF = /^\$\{(env|file):([^}]+)\}$/;

/** Tells whether a config string is a secret reference. */
export function isSecretRef(value: string): boolean {
  return SECRET_REF.test(value);
}

/** Resolves a secret reference; throws WEAVER_ERR_CONFIG_SECRET naming the reference, never a value. */
export function resolveSecret(ref: string, baseDir: string = process.cwd()): string {
  const m = SECRET_REF.exec(ref);
  if (m === null) return ref;
  const [, source, name] = m as unknown as [string, "env" | "file", string];
  if (source === "env") {
    const value = process.env[name];
    if (value === undefined) {
      throw runtimeError("WEAVER_ERR_CONFIG_SECRET", `environment variable ${name} (referenced as ${ref}) is not set`);
    }
    return value;
  }
  try {
    return readFileSync(resolve(baseDir, name), "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    throw runtimeError(
      "WEAVER_ERR_CONFIG_SECRET",
      `cannot read secret file ${name} (referenced as ${ref}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
