import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { configSections } from "./config-sections.js";
import { REDACTED, isSecretKey, redactArgs, redactConfig } from "./redact.js";

describe("redactConfig", () => {
  it("hides every value under a secret-looking key, however deep, but keeps secret references", () => {
    const config = {
      "shop/Store": {
        password: "hunter2",
        db_passwd: "pw1",
        api_key: "k1",
        pin_secret: 1234,
        token: "${env:TOKEN}",
        credentials: { user: "ada", key: "k2", list: ["k3", "${file:/run/k4}"] },
        name: "store",
        retries: 3,
        use_token: true,
      },
    };
    expect(redactConfig(config)).toEqual({
      "shop/Store": {
        password: REDACTED,
        db_passwd: REDACTED,
        api_key: REDACTED,
        pin_secret: REDACTED,
        token: "${env:TOKEN}",
        credentials: { user: REDACTED, key: REDACTED, list: [REDACTED, "${file:/run/k4}"] },
        name: "store",
        retries: 3,
        use_token: true,
      },
    });
    expect(config["shop/Store"].password).toBe("hunter2"); // a copy: the input is untouched
  });

  it("hides the password of URLs under any key, and is idempotent", () => {
    const config = { c: { dsn: "postgres://ada:pw@db:5432/shop", urls: ["https://x.example/a@b", "redis://:pw2@cache"] } };
    const once = redactConfig(config);
    expect(once).toEqual({
      c: { dsn: `postgres://ada:${REDACTED}@db:5432/shop`, urls: ["https://x.example/a@b", `redis://:${REDACTED}@cache`] },
    });
    expect(redactConfig(once)).toEqual(once);
  });

  it("keeps a key named __proto__ an own key rather than a prototype", () => {
    const value = JSON.parse('{"__proto__": {"password": "pw"}}') as Record<string, unknown>;
    const out = redactConfig(value);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"password":"${REDACTED}"}}`);
  });

  it("tells secret-looking keys from others", () => {
    for (const k of [
      "password",
      "PASSWORD",
      "db_password",
      "passwd",
      "pass",
      "passphrase",
      "secret",
      "client_secret",
      "token",
      "apiKey",
      "api_key",
      "api-key",
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ["private_key", "access_key", "credentials", "auth", "authorization", "cookie"]) expect(isSecretKey(k), k).toBe(true);
    for (const k of ["name", "address", "user", "retries", "keyspace", "path"]) expect(isSecretKey(k), k).toBe(false);
  });
});

describe("redactArgs", () => {
  it("hides the values of secret-looking flags, in both forms, and URL passwords", () => {
    expect(redactArgs(["--port=8080", "--password=pw", "--token", "t1", "-v", "--db=mysql://u:pw@h/x", "--secret=${env:S}"])).toEqual([
      "--port=8080",
      `--password=${REDACTED}`,
      "--token",
      REDACTED,
      "-v",
      `--db=mysql://u:${REDACTED}@h/x`,
      "--secret=${env:S}",
    ]);
  });
});

describe("configSections", () => {
  it("shows no secret of a weaver.toml, whichever section holds it", () => {
    const config = parseConfig(
      `[serviceweaver]\nargs = ["--api-key=k1"]\nenv = ["DB_PASSWORD=pw1"]\n\n[multi]\n\n["shop/Store"]\npassword = "pw2"\nurl = "amqp://u:pw3@q"\nref = "\${env:X}"\n`,
      "/app/weaver.toml",
      { others: ["multi"] },
    );
    const text = JSON.stringify(configSections(config, "multi"));
    for (const secret of ["k1", "pw1", "pw2", "pw3"]) expect(text).not.toContain(secret);
    expect(text).toContain("${env:X}");
  });
});
