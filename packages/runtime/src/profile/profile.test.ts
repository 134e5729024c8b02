import { describe, expect, it } from "vitest";
import { WeaverError } from "../errors.js";
import type { ProfileReply, ProfileRequest } from "../replica/deployer-protocol.js";
import type { ReplicaEndpoint } from "../deployments/replica-endpoint.js";
import { profileReplicas } from "./profile.js";
import type { CpuProfile } from "./profile-merge.js";
import { profileRoute } from "./profile-http.js";

const DEPLOYMENT = { app: "hello", id: "6b285407-4929-47f1-a0f0-774d5e1a9307", deployer: "multi" };

function cpu(t: number): CpuProfile {
  const frame = (functionName: string) => ({ functionName, scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 });
  return {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2] },
      { id: 2, callFrame: frame("work"), children: [] },
    ],
    startTime: t,
    endTime: t + 10,
    samples: [2],
    timeDeltas: [5],
  };
}

/** A replica that answers `answer` (or throws it) and records the requests. */
function target(
  id: string,
  group: string,
  pid: number,
  answer: (r: ProfileRequest) => ProfileReply,
  asked: unknown[] = [],
): ReplicaEndpoint {
  const unused = () => Promise.reject(new Error("not asked for"));
  return {
    id,
    group,
    pid,
    metrics: unused,
    spans: unused,
    profile: async (request: ProfileRequest, timeoutMs: number) => {
      asked.push({ request, timeoutMs });
      return answer(request);
    },
    running: () => true,
  };
}

describe("profileReplicas", () => {
  it("asks every replica at once with the duration plus a margin, and merges the answers", async () => {
    const asked: unknown[] = [];
    const result = await profileReplicas(
      DEPLOYMENT,
      [
        target("aaaaaaaa-1", "weaver.Main", 10, () => ({ id: "aaaaaaaa-1", profile: JSON.stringify(cpu(100)) }), asked),
        target("bbbbbbbb-2", "app.Reverser", 20, () => ({ id: "bbbbbbbb-2", profile: JSON.stringify(cpu(102)) }), asked),
      ],
      { type: "cpu", durationMs: 2_000 },
    );
    expect(asked).toEqual([
      { request: { type: "cpu", durationMs: 2_000 }, timeoutMs: 12_000 },
      { request: { type: "cpu", durationMs: 2_000 }, timeoutMs: 12_000 },
    ]);
    expect(result).toMatchObject({ app: "hello", deployment: DEPLOYMENT.id, type: "cpu", durationMs: 2_000, failed: [] });
    expect(result.replicas).toEqual([
      { id: "aaaaaaaa-1", group: "weaver.Main", pid: 10 },
      { id: "bbbbbbbb-2", group: "app.Reverser", pid: 20 },
    ]);
    const profile = result.profile as CpuProfile;
    expect(profile.nodes.map((n) => n.callFrame.functionName)).toEqual([
      "(root)",
      "weaver.Main aaaaaaaa pid 10",
      "work",
      "app.Reverser bbbbbbbb pid 20",
      "work",
    ]);
    expect([profile.startTime, profile.endTime, profile.timeDeltas]).toEqual([100, 112, [5, 2]]);
  });

  it("leaves out and names the replicas that fail, and fails only when none answers", async () => {
    const bad = target("cccccccc-3", "app.Converter", 30, () => {
      throw new Error("replica cccccccc-3: a CPU profile is already being taken");
    });
    const wrong = target("dddddddd-4", "app.Converter", 40, () => ({ id: "someone-else", profile: "{}" }));
    const good = target("aaaaaaaa-1", "weaver.Main", 10, () => ({ id: "aaaaaaaa-1", profile: JSON.stringify(cpu(0)) }));
    const died = {
      ...target("eeeeeeee-5", "app.Reverser", 50, () => {
        throw new Error("the client is closed");
      }),
      running: () => false,
    };
    const result = await profileReplicas(DEPLOYMENT, [bad, good, wrong, died], { type: "cpu", durationMs: 10 });
    expect(result.replicas.map((r) => r.id)).toEqual(["aaaaaaaa-1"]);
    expect(result.failed).toEqual([
      { id: "cccccccc-3", group: "app.Converter", pid: 30, error: "a CPU profile is already being taken" },
      { id: "dddddddd-4", group: "app.Converter", pid: 40, error: "another replica (someone-else) answered on its address" },
      { id: "eeeeeeee-5", group: "app.Reverser", pid: 50, error: "its process ended during the profile (the client is closed)" },
    ]);
    const none = profileReplicas(DEPLOYMENT, [bad, bad], { type: "heap", durationMs: 0 });
    await expect(none).rejects.toThrow(
      `no replica of deployment ${DEPLOYMENT.id} of hello gave a heap profile; all 2 replicas answered: a CPU profile is already being taken`,
    );
    await expect(none).rejects.toBeInstanceOf(WeaverError);
    await expect(profileReplicas(DEPLOYMENT, [bad, wrong], { type: "cpu", durationMs: 0 })).rejects.toThrow(
      `no replica of deployment ${DEPLOYMENT.id} of hello gave a cpu profile:\n` +
        "  app.Converter cccccccc pid 30: a CPU profile is already being taken\n" +
        "  app.Converter dddddddd pid 40: another replica (someone-else) answered on its address",
    );
    await expect(profileReplicas(DEPLOYMENT, [], { type: "cpu", durationMs: 10 })).rejects.toThrow(
      /has no ready replica to profile; check its replicas with `weaver multi status`/,
    );
  });
});

describe("profileRoute", () => {
  const handle = async (query: string, profile = async (r: ProfileRequest) => ({ asked: r }) as never) =>
    profileRoute(profile).handle({
      url: new URL(`http://127.0.0.1:1/profile${query}`),
      target: "127.0.0.1:1",
      incoming: undefined as never,
    });

  it("defaults to a 30 s CPU profile, and ignores the duration of a heap profile", async () => {
    expect(JSON.parse((await handle("")).body as string)).toEqual({ asked: { type: "cpu", durationMs: 30_000 } });
    expect(JSON.parse((await handle("?type=cpu&duration_ms=1500")).body as string)).toEqual({ asked: { type: "cpu", durationMs: 1_500 } });
    expect(JSON.parse((await handle("?type=heap&duration_ms=1500")).body as string)).toEqual({ asked: { type: "heap", durationMs: 0 } });
  });

  it("answers 400 to a bad query and 500 with the reason when the profile fails", async () => {
    expect(await handle("?type=wall")).toMatchObject({ status: 400, body: "type=wall is not a profile type; use type=cpu or type=heap\n" });
    expect(await handle("?duration_ms=1.5")).toMatchObject({
      status: 400,
      body: expect.stringMatching(/^duration_ms=1.5 is not a duration/),
    });
    expect(await handle("?duration_ms=-1")).toMatchObject({ status: 400 });
    const failing = await handle("", async () => {
      throw new Error("no replica answered");
    });
    expect(failing).toMatchObject({ status: 500, body: "no replica answered\n" });
  });
});
