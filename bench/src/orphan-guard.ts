/**
 * Preloaded (node --import) into every server process a benchmark starts, so that servers stop by
 * themselves: when the benchmark's process goes away (its end of our stdin pipe closes), or after
 * BENCH_MAX_LIFETIME_MS (default 10 minutes), whichever comes first.
 */
const maxLifetimeMs = Number(process.env["BENCH_MAX_LIFETIME_MS"] ?? 600_000);
setTimeout(() => process.exit(3), maxLifetimeMs).unref();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
// Our stdin pipe must not keep a server alive on its own; the server's socket does.
(process.stdin as unknown as { unref?: () => void }).unref?.();
// A graceful SIGTERM (the benchmark's way of stopping a server) exits normally, so that a CPU
// profile (--cpu-prof) gets written; servers with their own handler (weavelets) drain first.
process.once("SIGTERM", () => {
  if (process.listenerCount("SIGTERM") === 0) process.exit(0);
});
// BENCH_CPU_CALLS=<n>: prints "server cpu <µs>/call" at exit, the CPU time used since the last
// SIGUSR2 (profile-rpc.ts sends one when its n timed calls start) over n, to compare builds.
const cpuCalls = Number(process.env["BENCH_CPU_CALLS"] ?? 0);
if (cpuCalls > 0) {
  let start = process.cpuUsage();
  process.on("SIGUSR2", () => (start = process.cpuUsage()));
  process.on("exit", () => {
    const used = process.cpuUsage(start);
    process.stderr.write(`server cpu ${((used.user + used.system) / cpuCalls).toFixed(2)} µs/call\n`);
  });
}
