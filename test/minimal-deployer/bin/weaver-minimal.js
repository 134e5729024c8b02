#!/usr/bin/env node
// `weaver minimal ...` runs this executable (found on PATH as weaver-minimal) with the arguments after "minimal".
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
