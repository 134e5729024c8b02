import { describe, expect, it } from "vitest";
import { listenError, sharedPortProblems } from "./listener-addresses.js";

const errno = (code: string, message = code): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe("sharedPortProblems", () => {
  it("names the later of two listeners given one port on one host, or on every interface", () => {
    expect(sharedPortProblems({ a: { address: "127.0.0.1:9000" }, b: { address: "127.0.0.1:9000" } })).toEqual([
      'listeners.b.address: "127.0.0.1:9000" takes the same port as listener a ("127.0.0.1:9000"); two listeners cannot share a port: give b another one (":0" picks a free port)',
    ]);
    expect(sharedPortProblems({ a: { address: ":9000" }, b: { address: "localhost:9000" } })).toHaveLength(1);
    expect(sharedPortProblems({ a: { address: "[::]:9000" }, b: { address: "127.0.0.1:9000" } })).toHaveLength(1);
    expect(sharedPortProblems({ a: { address: "LOCALHOST:9000" }, b: { address: "localhost:9000" } })).toHaveLength(1);
  });

  it("lets listeners share port 0, use different ports or different hosts, and leaves bad addresses to the loader", () => {
    expect(
      sharedPortProblems({
        a: { address: "127.0.0.1:0" },
        b: { address: "127.0.0.1:0" },
        c: { address: "127.0.0.1:9000" },
        d: { address: "127.0.0.1:9001" },
        e: { address: "10.0.0.1:9000" },
        f: { address: "nonsense" },
        g: {},
      }),
    ).toEqual([]);
  });
});

describe("listenError", () => {
  const target = { file: "/app/weaver.toml", listener: "web", configured: "127.0.0.1:9000" };

  it("says what, where and the fix, with the config listener error code", () => {
    const e = listenError(target, errno("EADDRINUSE"));
    expect(e.code).toBe("WEAVER_ERR_CONFIG_LISTENER");
    expect(e.message).toBe(
      '/app/weaver.toml: [multi] listeners.web.address: cannot listen on 127.0.0.1:9000: the address is already in use; stop the program that listens there (`lsof -i :9000` shows it) or give web another port (":0" picks a free one)',
    );
    expect(listenError({ ...target, holder: "tcp" }, errno("EADDRINUSE")).message).toContain(
      "cannot listen on 127.0.0.1:9000: listener tcp of this app listens there already; give web another port",
    );
  });

  it("explains hosts that do not resolve or are not this machine's, and privileged ports", () => {
    const dns = listenError({ ...target, configured: "nonexistent.invalid:8080" }, errno("ENOTFOUND"));
    expect(dns.message).toContain(
      "cannot listen on nonexistent.invalid:8080: host nonexistent.invalid does not resolve; correct the host name",
    );
    expect(listenError({ ...target, configured: "192.0.2.1:80" }, errno("EADDRNOTAVAIL")).message).toContain(
      '192.0.2.1 is not an address of this machine; use an IP address of this machine (127.0.0.1 for this machine only), or leave the host out (":80")',
    );
    expect(listenError({ ...target, configured: ":80" }, errno("EACCES")).message).toContain(
      "cannot listen on :80: permission denied: ports below 1024 need privileges; use a port from 1024 up",
    );
    expect(listenError({ ...target, configured: "[::1]:9000" }, errno("EINVAL", "something odd")).message).toContain(
      'cannot listen on [::1]:9000: something odd; give web another port (":0" picks a free one)',
    );
  });
});
