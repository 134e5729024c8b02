/** The options of a multi-process deployment (Deployment): what a foreground deploy and the manager give it. */
import type { AppConfig, DeploymentStatus, Manifest } from "@weaver/runtime";

/** Options of a deployment. */
export interface DeploymentOptions {
  readonly config: AppConfig;
  readonly manifest: Manifest;
  /** The app's entry (see loadDeployable). */
  readonly binary: string;
  /** The app name shown (config name or manifest app). */
  readonly app: string;
  /** Print log entries on stdout as they arrive. */
  readonly print: boolean;
  /** Called whenever a replica starts, becomes ready, dies or is removed (the manager records its pids). */
  readonly onChange?: () => void;
  /**
   * The manager's front of each listener (front.ts): given, the listener proxies bind a free
   * loopback port and this binds (or shares, in a rollout) the configured address; returns it.
   */
  readonly front?: (listener: string, configured: string | undefined) => Promise<string>;
  /** The traffic table and rollout of the app, for the status (manager only). */
  readonly traffic?: () => Pick<DeploymentStatus, "traffic" | "rollout">;
}
