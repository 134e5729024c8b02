// The conformance app: each endpoint of the `api` listener exercises one thing a deployer must
// carry, and answers in plain text what the suite checks (test/conformance/cases.ts).
import http from "node:http";
import { DeadlineExceededError, Implements, instrumentHandler, listener, ref, run, withDeadline, type Main } from "@weaver/core";
import "./weaver_gen.js";
import { EchoError, type Echo } from "./echo.js";

export class App extends Implements<Main>() {
  echo = ref<Echo>();
  api = listener();

  async main(): Promise<void> {
    http.createServer(instrumentHandler("conformance", (req, res) => void this.serve(req, res))).listen(this.api);
    console.log(`conformance listener available on ${this.api}`);
  }

  async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const s = url.searchParams.get("s") ?? "";
    const echo = this.echo.get();
    try {
      res.end(await this.answer(url.pathname, s, echo));
    } catch (e) {
      res.statusCode = 500;
      res.end(`${(e as Error).name}: ${(e as Error).message}`);
    }
  }

  async answer(path: string, s: string, echo: Echo): Promise<string> {
    switch (path) {
      case "/":
        return "ok";
      case "/echo":
        return echo.echo(s);
      case "/relay":
        return echo.relay(s);
      case "/fail":
        try {
          await echo.fail(s);
          return "no error";
        } catch (e) {
          const kept = e instanceof EchoError;
          return `${kept ? "EchoError" : "another class"} name=${(e as Error).name} message=${(e as Error).message} detail=${(e as EchoError).detail}`;
        }
      case "/deadline": {
        const started = Date.now();
        try {
          await withDeadline(200, () => echo.sleep(10_000, s));
          return "finished";
        } catch (e) {
          return e instanceof DeadlineExceededError
            ? `deadline exceeded after ${Date.now() - started} ms`
            : `${(e as Error).name}: ${(e as Error).message}`;
        }
      }
      case "/log":
        await echo.log(s);
        return "logged";
      case "/crash":
        await echo.crash();
        return "still here";
      default:
        throw new Error(`no endpoint ${path}`);
    }
  }
}

await run(App);
