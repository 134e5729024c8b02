import { describe, expect, it } from "vitest";
import { dnsLabelProblem, imageProblem, parseQuantity, platformProblem, quantityProblem } from "./kube-values.js";
import { dnsLabel, groupLabels, portName, serviceLabel, versionedName } from "./names.js";

describe("kube.yaml values", () => {
  it("accept image references as registries do, and refuse the rest", () => {
    for (const ok of [
      "reverser",
      "me/reverser:v1",
      "ghcr.io/me/reverser:v1.2-rc_1",
      "localhost:5000/reverser",
      "registry.example.com:5000/team/app@sha256:" + "a".repeat(64),
      "docker.io/library/node:20-slim",
      "my-registry.io/a__b/c.d",
    ])
      expect(imageProblem(ok), ok).toBeUndefined();
    for (const bad of [
      "Reverser",
      "me/Reverser:v1",
      "ghcr.io/me/app:",
      "app@sha256:abc",
      "app:-tag",
      "-app",
      "app//x",
      "app:v1 ",
      "http://ghcr.io/app",
    ])
      expect(imageProblem(bad), bad).toMatch(/not an image reference/);
  });

  it("parse quantities as the API server does", () => {
    expect(parseQuantity("100m")).toBeCloseTo(0.1);
    expect(parseQuantity("0.5")).toBe(0.5);
    expect(parseQuantity("128Mi")).toBe(128 * 2 ** 20);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity(".5Gi")).toBe(2 ** 29);
    for (const bad of ["100x", "1 G", "Mi", "1.2.3", "1mi", ""]) expect(quantityProblem(bad, "memory"), bad).toMatch(/is not a quantity/);
    expect(quantityProblem("-1", "cpu")).toMatch(/negative/);
  });

  it("check namespaces and platforms", () => {
    expect(dnsLabelProblem("team-a")).toBeUndefined();
    for (const bad of ["Team", "a_b", "-a", "a-", "a.b"]) expect(dnsLabelProblem(bad), bad).toMatch(/not a DNS label/);
    expect(dnsLabelProblem("a".repeat(64))).toMatch(/at most 63/);
    expect(platformProblem("linux/arm64")).toBeUndefined();
    expect(platformProblem("linux/x86_64")).toMatch(/arch one of amd64, arm64/);
    expect(platformProblem("windows/amd64")).toMatch(/linux\/<arch>/);
  });
});

describe("object names", () => {
  it("are DNS labels, shortened deterministically with a hash", () => {
    expect(dnsLabel("reverser.Reverser")).toBe("reverser-reverser");
    expect(dnsLabel("weaver.Main")).toBe("weaver-main");
    const long = versionedName(["an-app-with-a-rather-long-name", "a-group-with-an-even-longer-name-than-that"], "0a1b2c3d");
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^an-app-with-a-rather-long-name-a-group-.*-[0-9a-f]{6}-0a1b2c3d$/);
    expect(versionedName(["an-app-with-a-rather-long-name", "a-group-with-an-even-longer-name-than-that"], "0a1b2c3d")).toBe(long);
    expect(serviceLabel("8080")).toBe("s-8080");
  });

  it("keep group labels and port names distinct", () => {
    const [a, b] = groupLabels(["shop.Cart", "shop_Cart"]);
    expect(a).toBe("shop-cart");
    expect(b).not.toBe(a);
    const taken = new Set(["weaver-rpc", "weaver-health"]);
    const name = portName("a-listener-with-a-long-name", taken);
    expect(name.length).toBeLessThanOrEqual(15);
    expect(portName("weaver-rpc", taken)).not.toBe("weaver-rpc");
    expect(portName("80", taken)).toBe("l-80");
  });
});
