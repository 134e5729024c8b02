/**
 * A process of the testing kit's multi runner: it imports the app's compiled generated code
 * (WEAVER_TEST_APP, a file URL, which registers the components) and runs as one replica of the
 * test's deployment, hosting the components WEAVER_REPLICA names.
 */
import { runReplica } from "../run.js";

const app = process.env["WEAVER_TEST_APP"];
if (app === undefined) {
  process.stderr.write("weaver: WEAVER_TEST_APP is not set: the multi runner of @weaver/core/testing starts this entry\n");
  process.exit(1);
}
await import(app);
await runReplica();
