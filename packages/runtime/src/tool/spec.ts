/**
 * What a deployer tells the command factories (status, logs, metrics, profile, purge, dashboard)
 * about itself, so that each one mounts them under its own name, as Service Weaver's runtime/tool
 * does: `weaver multi status`, `weaver single status` and `weaver kube status` are the same code.
 */

/** A deployer, as its commands describe it. */
export interface ToolSpec {
  /** Its name: the word after `weaver`, and the key of its registry, data folder and config section. */
  readonly deployer: string;
  /** Its deployments in a few words, for help texts ("multi-process", "single-process"). */
  readonly kind: string;
}

/** The sentence that says how to start a deployment, for commands that find none. */
export function startHint(spec: ToolSpec): string {
  return `No ${spec.deployer} deployment is running; start one with \`weaver ${spec.deployer} deploy weaver.toml\`.`;
}
