/**
 * The `prefork` executable: httpd's command line on the real process.
 */
import { main } from './main.js';
import { createCoreBackend } from './core-backend.js';

const code = await main(process.argv.slice(1), {
  programName: 'prefork',
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  backend: createCoreBackend(),
});
process.exitCode = code;
