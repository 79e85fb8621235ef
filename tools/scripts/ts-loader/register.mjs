// Lets Node run the tests' TypeScript as it stands: `node --import=<this file> test/x.test.ts`.
// Each package's tap config passes it to every test process (tap's own TypeScript plugin, which
// loads the TypeScript compiler into each of them, is turned off). Type-checking is not done
// here: `npm test` runs `tsc` over sources and tests first.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
