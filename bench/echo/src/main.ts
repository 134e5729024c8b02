// The echo app's entry. Benchmarks run it as a replica (WEAVER_REPLICA) that hosts Echo.
import { Implements, ref, run, type Main } from "@weaver/core";
import type { Echo } from "./echo.js";
import "./weaver_gen.js";

export class App extends Implements<Main>() {
  echo = ref<Echo>();

  async main(): Promise<void> {
    console.log(await this.echo.get().echo("hello"));
  }
}

await run(App);
