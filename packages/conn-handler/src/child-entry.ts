#!/usr/bin/env node
// The program the master spawns for each child (see @prefork/core child-protocol).
import { runChild } from './child-main.js';

runChild().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`PF02007: child failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(7);
  },
);
