/** The name of this deployer, as its data folder (`<data>/weaver/multi`) and its commands use it. */
/** The deployer name under which multi deployments are registered and logged (see dataDir). */
export declare const DEPLOYER = "multi";
//# sourceMappingURL=deployer-name.d.ts.map