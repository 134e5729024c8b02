import { describe, expect, it } from "vitest";
import { WeaverError } from "../errors.js";
import { logFilter } from "./log-filter.js";
import { entry } from "./log-fixtures.test.util.js";
import { SYSTEM_ATTR } from "./system-log.js";

const app = entry({ msg: "hello" });
const system = entry({ component: "deployer", msg: "replica restarted", level: "warn", attrs: { [SYSTEM_ATTR]: "true" } });

describe("logFilter", () => {
  it("matches every app entry, and no system entry, without a query", () => {
    const f = logFilter("");
    expect([f(app), f(system)]).toEqual([true, false]);
  });

  it("matches system entries too with the system option", () => {
    const f = logFilter("", { system: true });
    expect([f(app), f(system)]).toEqual([true, true]);
    expect(logFilter('level == "warn"', { system: true })(system)).toBe(true);
  });

  it("shows system entries to a query that names the system attribute", () => {
    const f = logFilter(`"${SYSTEM_ATTR}" in attrs`);
    expect([f(app), f(system)]).toEqual([false, true]);
    expect(logFilter(`attrs["${SYSTEM_ATTR}"] == "true" && msg.contains("restarted")`)(system)).toBe(true);
  });

  it("applies the query to app entries", () => {
    expect(logFilter('msg.contains("hel")')(app)).toBe(true);
    expect(logFilter('version == "bd689290" && level == "error"')(app)).toBe(false);
  });

  it("reports a mistake at its position in the user's query", () => {
    let error: unknown;
    try {
      logFilter('level == "info" && msg = "x"');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeaverError);
    expect((error as WeaverError).code).toBe("WEAVER_ERR_LOG_QUERY");
    expect((error as WeaverError).message).toBe(
      'invalid log query at position 24: use == to compare\n  level == "info" && msg = "x"\n                         ^',
    );
  });
});
