#!/usr/bin/env node
// `npm start`: runs prefork in the foreground on the sample server of httpd-conf-samples/serve,
// on 127.0.0.1:$PORT (8080 unless set). Extra arguments go to prefork (e.g. `npm start -- -t`).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sample = join(root, 'httpd-conf-samples', 'serve');
const port = process.env.PORT ?? '8080';
const extra = process.argv.slice(2);
const args = [
  join(root, 'packages', 'httpd', 'bin', 'prefork.js'),
  '-C', `Define SAMPLE_ROOT ${sample}`,
  '-C', `Define SAMPLE_PORT ${port}`,
  '-f', join(sample, 'httpd.conf'),
  ...(extra.length ? extra : ['-DFOREGROUND']),
];
if (!extra.length) console.error(`prefork: serving ${join(sample, 'htdocs')} on http://127.0.0.1:${port}/ (Ctrl-C stops it)`);
// Its own process group is the server's: Ctrl-C reaches it through the terminal as with apache2.
const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGWINCH']) {
  process.on(sig, () => child.kill(sig));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
