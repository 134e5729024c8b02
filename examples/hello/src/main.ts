// The smallest Weaver app: a main component that prints a greeting.
import { Implements, run, type Main } from "@weaver/core";

/** The app's main component; run() creates it and calls main(). */
export class App extends Implements<Main>() {
  async main(): Promise<void> {
    console.log("Hello, World");
  }
}

await run(App);
