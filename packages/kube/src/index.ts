/**
 * @weaver/kube: the Kubernetes deployer. `weaver kube deploy kube.yaml` writes an app version's
 * manifests and Dockerfile; `weaver kube babysitter` runs in every pod, starts its replica and
 * routes it to the pods of other groups of the same version.
 *
 * @module
 */
export { main } from "./main.js";
export { LABELS, type KubeWiring, type WiringGroup } from "./wiring.js";
