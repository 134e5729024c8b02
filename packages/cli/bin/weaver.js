#!/usr/bin/env node
// The `weaver` command. The code lives in dist/ (built by `npm install`); this file only loads it,
// so that npm can link the command before the first build.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
