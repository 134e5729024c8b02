/**
 * A config's sections as a status server shows them (DeploymentStatus.config): `[serviceweaver]`
 * under its TOML key names, the deployer's own section, and every component section, as written
 * but redacted (redact.ts): secret references stay references, the values of secret-looking keys
 * and flags are hidden, and so are the values of `env` entries, the usual place for credentials.
 */
import type { AppConfig } from "./config.js";
import { REDACTED, redactArgs, redactConfig } from "./redact.js";

export { REDACTED };

/** The sections of `config` that a deployment of `deployer` ("single", "multi", ...) shows, redacted. */
export function configSections(config: AppConfig, deployer: string): Record<string, unknown> {
  const weaver: Record<string, unknown> = {};
  if (config.name !== undefined) weaver["name"] = config.name;
  if (config.binary !== undefined) weaver["binary"] = config.binary;
  if (config.args.length > 0) weaver["args"] = redactArgs(config.args);
  if (config.env.length > 0) weaver["env"] = config.env.map((e) => `${e.slice(0, e.indexOf("="))}=${REDACTED}`);
  if (config.colocate.length > 0) weaver["colocate"] = config.colocate;
  if (config.rolloutMs !== undefined) weaver["rollout"] = `${config.rolloutMs}ms`;
  weaver["traces_per_second"] = config.tracesPerSecond;
  if (config.otlpEndpoint !== undefined) weaver["otlp_endpoint"] = config.otlpEndpoint;
  weaver["init_timeout"] = `${config.initTimeoutMs}ms`;
  weaver["start_timeout"] = `${config.startTimeoutMs}ms`;
  return redactConfig({ serviceweaver: weaver, [deployer]: config.sections[deployer] ?? {}, ...config.components });
}
