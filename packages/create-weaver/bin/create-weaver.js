#!/usr/bin/env node
// `npm create weaver@latest my-app` runs this.
import { main } from "../dist/main.js";

process.exitCode = main(process.argv.slice(2));
