// 1000 seeded mutated reads (seed 20261125) of the reference and Debian configurations: no read
// throws or hangs, every error is located. See fuzz-run.ts.
import t from 'tap';
import { fuzzReads } from './fuzz-run.js';

t.test('mutated configurations, seed 20261125', (t) => {
  fuzzReads(t, 20261125, 1000);
  t.end();
});
