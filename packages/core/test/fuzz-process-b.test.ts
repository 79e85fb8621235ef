// 400 seeded mutations of the sample trees (httpd-conf-samples), each loaded twice, read and
// process passes: no load throws or hangs, every error is located. See fuzz-process-run.ts.
import t from 'tap';
import { fuzzLoads } from './fuzz-process-run.js';

t.test('mutated sample trees, seed 20261127', (t) => fuzzLoads(t, 20261127, 400));
