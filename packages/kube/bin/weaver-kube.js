#!/usr/bin/env node
// `weaver kube ...` runs this executable (found on PATH as weaver-kube) with the arguments after "kube";
// in a pod, the container runs `weaver-kube babysitter`.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
