import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { configSections } from "./config-sections.js";

describe("configSections", () => {
  it("shows [serviceweaver] under its TOML keys, the deployer's section and the components', with env values redacted", () => {
    const config = parseConfig(
      `[serviceweaver]\nname = "shop"\nenv = ["DB_PASSWORD=hunter2"]\ntraces_per_second = 5\n\n[multi]\nlisteners.lis = {address = "localhost:9000"}\n\n["shop/Store"]\npassword = "\${env:STORE_PASSWORD}"\n`,
      "/app/weaver.toml",
      { others: ["multi"] },
    );
    const sections = configSections(config, "multi");
    expect(sections).toEqual({
      serviceweaver: {
        name: "shop",
        env: ["DB_PASSWORD=<redacted>"],
        traces_per_second: 5,
        init_timeout: "30000ms",
        start_timeout: "60000ms",
      },
      multi: { listeners: { lis: { address: "localhost:9000" } } },
      "shop/Store": { password: "${env:STORE_PASSWORD}" },
    });
    expect(JSON.stringify(sections)).not.toContain("hunter2");
    expect(Object.keys(configSections(config, "single"))).toEqual(["serviceweaver", "single", "shop/Store"]);
  });
});
