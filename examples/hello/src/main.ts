// The smallest Weaver app: a main component that prints a greeting.
import { Implements, run, type Main } from "@weaver/core";
import "./weaver_gen.js";

/** The app's main component; run() creates it and calls main(). */
export class App extends Implements<Main>() {
  async main(): Promise<void> {
    console.log("Hello, World");
  }
}

await run(App);
