// The bank app's entry. The testing kit does not run Main; a deployment would.
import { Implements, ref, run, type Main } from "@weaver/core";
import type { Teller } from "./teller.js";
import "./weaver_gen.js";

export class App extends Implements<Main>() {
  teller = ref<Teller>();

  async main(): Promise<void> {
    console.log(await this.teller.get().callInfo());
  }
}

await run(App);
