/**
 * Profiles of this process in V8's JSON formats, taken through node:inspector (an in-process
 * session: no port is opened, nothing is exposed). They answer PROFILE_METHOD
 * (deployer-protocol.ts).
 *
 * - cpu: V8's CPU profiler samples the stack every millisecond for the requested duration (0:
 *   start and stop at once) and the `.cpuprofile` is returned. One CPU profile at a time per
 *   process: a request while one runs is refused rather than queued, since the deployer waits
 *   for it with a deadline of the duration plus a margin.
 * - heap: V8's sampling heap profiler runs from the moment startHeapSampling() is called (when the
 *   replica's services are created) to the end of the process, sampling an allocation every
 *   512 KiB on average, the interval of Node's --heap-prof and Go's MemProfileRate: every sample
 *   records a stack, and a replica that moves 10 KB payloads allocates several times per call,
 *   so a shorter interval shows in the RPC benchmarks; small heaps get few samples. A heap profile is the part of the sampled allocations still live now, read
 *   without stopping the sampler: like Go's heap profile it is a picture of the moment, not of an
 *   interval, so the duration is ignored. Allocations made before the sampler started (module
 *   loading, components' init) are not in it.
 */
import { Session } from "node:inspector/promises";
import { runtimeError } from "../errors.js";
import type { ProfileRequest } from "./deployer-protocol.js";

/** The CPU profiler's sampling interval, in microseconds. */
const CPU_SAMPLING_US = 1_000;
/** The heap sampler's mean interval between sampled allocations, in bytes. */
const HEAP_SAMPLING_BYTES = 512 * 1024;
/** The longest CPU profile a replica takes. */
export const MAX_PROFILE_MS = 60 * 60_000;

// Process-wide state: V8 has one CPU profiler and one heap sampler per isolate.
let heap: Promise<Session> | undefined;
let cpuSince: number | undefined;

/** Starts the heap sampler of this process, once; later calls do nothing. */
export function startHeapSampling(): void {
  heap ??= (async () => {
    const session = new Session();
    session.connect();
    await session.post("HeapProfiler.enable");
    await session.post("HeapProfiler.startSampling", { samplingInterval: HEAP_SAMPLING_BYTES });
    return session;
  })();
  // A failure is reported to whoever asks for a heap profile, not as an unhandled rejection.
  heap.catch(() => {});
}

/** Takes a profile of this process and returns it as V8's JSON text (.cpuprofile or .heapprofile). */
export async function profileProcess(request: ProfileRequest): Promise<string> {
  const type: unknown = request?.type;
  if (type === "heap") return heapProfile();
  if (type !== "cpu") {
    throw runtimeError("WEAVER_ERR_PROFILE", `unknown profile type ${JSON.stringify(type)}; ask for "cpu" or "heap"`);
  }
  const ms = request.durationMs;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_PROFILE_MS) {
    throw runtimeError("WEAVER_ERR_PROFILE", `a CPU profile's duration must be 0 to ${MAX_PROFILE_MS} ms, not ${String(ms)}`);
  }
  return cpuProfile(ms);
}

async function cpuProfile(durationMs: number): Promise<string> {
  if (cpuSince !== undefined) {
    const left = Math.max(0, Math.ceil((cpuSince - Date.now()) / 1000));
    throw runtimeError(
      "WEAVER_ERR_PROFILE",
      `another CPU profile of this process is running and ends in about ${left}s; ` +
        "a process takes one at a time: wait for it to end and try again",
    );
  }
  cpuSince = Date.now() + durationMs;
  const session = new Session();
  try {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: CPU_SAMPLING_US });
    await session.post("Profiler.start");
    if (durationMs > 0) await new Promise((resolve) => setTimeout(resolve, durationMs).unref());
    const { profile } = await session.post("Profiler.stop");
    await session.post("Profiler.disable");
    return JSON.stringify(profile);
  } finally {
    session.disconnect();
    cpuSince = undefined;
  }
}

async function heapProfile(): Promise<string> {
  startHeapSampling();
  let session: Session;
  try {
    session = await (heap as Promise<Session>);
  } catch (e) {
    throw runtimeError(
      "WEAVER_ERR_PROFILE",
      `the heap sampler of this process (pid ${process.pid}) could not start: ${(e as Error).message}`,
    );
  }
  const { profile } = await session.post("HeapProfiler.getSamplingProfile");
  return JSON.stringify(profile);
}
