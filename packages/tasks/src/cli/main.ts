#!/usr/bin/env node
import { runCli } from './run.js';

try {
  process.exitCode = await runCli(process.argv.slice(2));
} catch (error) {
  // Printed here, not left uncaught: tfjs-backend-wasm's rejection handler would also print a line
  // of its minified source.
  process.stderr.write(
    `lgpt: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
