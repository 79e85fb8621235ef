#!/usr/bin/env node
// The program the master spawns for each child (see @prefork/core child-protocol). The
// graceful signals are caught before the rest is loaded (child-start.ts says why).
// No top-level await: the same program is also bundled as CommonJS (dist/child.cjs).
import { catchEarlySignals, exitWith } from './child-start.js';

const early = catchEarlySignals();
void import('./child-main.js').then(({ runChild }) => exitWith(runChild(process.env, {}, early)));
