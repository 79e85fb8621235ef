import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from '../src/index.js';

const APACHE_INCLUDE = '/usr/include/apache2';
const APR_INCLUDE = '/usr/include/apr-1.0';

const FIELDS = {
  global_score: ['server_limit', 'thread_limit', 'running_generation', 'restart_time', 'times',
    'times.tms_utime', 'times.tms_stime', 'times.tms_cutime', 'times.tms_cstime'],
  process_score: ['pid', 'generation', 'quiescing', 'not_accepting', 'connections', 'write_completion',
    'lingering_close', 'keep_alive', 'suspended', 'bucket', 'wait_io'],
  worker_score: ['tid', 'thread_num', 'pid', 'generation', 'status', 'conn_count', 'conn_bytes', 'access_count',
    'bytes_served', 'my_access_count', 'my_bytes_served', 'start_time', 'stop_time', 'last_used', 'times',
    'times.tms_utime', 'times.tms_stime', 'times.tms_cutime', 'times.tms_cstime',
    'client', 'request', 'vhost', 'protocol', 'duration', 'client64'],
} as const;

/** A C program that prints httpd's own layout as JSON, compiled against Debian's headers. */
function probeSource(): string {
  const structs = Object.entries(FIELDS).map(([struct, fields]) => {
    const lines = fields.map((f, i) =>
      `  printf("%s\\"${f}\\": [%zu, %zu]", ${i === 0 ? '""' : '","'}, offsetof(${struct}, ${f}), sizeof(((${struct} *)0)->${f}));`);
    return [
      `  printf("%s\\"${struct}\\": {\\"size\\": %zu, \\"fields\\": {", ${struct === 'global_score' ? '""' : '","'}, sizeof(${struct}));`,
      ...lines,
      '  printf("}}");',
    ].join('\n');
  });
  return [
    '#include <stddef.h>',
    '#include <stdio.h>',
    '#include "httpd.h"',
    '#include "scoreboard.h"',
    'int main(void) {',
    '  printf("{");',
    ...structs,
    '  printf("}\\n");',
    '  return 0;',
    '}',
  ].join('\n');
}

t.test('our layout is byte-identical to Debian httpd 2.4 scoreboard.h', (tt) => {
  if (!existsSync(join(APACHE_INCLUDE, 'scoreboard.h')) || !existsSync(join(APR_INCLUDE, 'apr.h'))) {
    tt.fail(`httpd headers not found (${APACHE_INCLUDE}/scoreboard.h, ${APR_INCLUDE}/apr.h): apt-get install apache2-dev`);
    tt.end();
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'pf-abi-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'probe.c'), probeSource());
  // apr.h's large-file and threads settings come from the same flags apxs uses.
  const cflags = ['-D_GNU_SOURCE', '-D_LARGEFILE64_SOURCE', '-D_REENTRANT', '-pthread'];
  execFileSync('cc', [...cflags, `-I${APACHE_INCLUDE}`, `-I${APR_INCLUDE}`, '-o', join(dir, 'probe'), join(dir, 'probe.c')], { stdio: 'pipe' });
  const apache = JSON.parse(execFileSync(join(dir, 'probe'), { encoding: 'utf8' })) as Record<string, { size: number; fields: Record<string, [number, number]> }>;

  for (const struct of Object.keys(FIELDS) as Array<keyof typeof FIELDS>) {
    const theirs = apache[struct]!;
    const ours = layout[struct];
    tt.equal(ours.size, theirs.size, `sizeof(${struct})`);
    tt.same(Object.keys(ours.fields).sort(), Object.keys(theirs.fields).sort(), `${struct}: same field names`);
    for (const [field, [off, size]] of Object.entries(theirs.fields)) {
      tt.equal(ours.fields[field], off, `offsetof(${struct}, ${field})`);
      tt.equal(ours.fieldSizes[field], size, `sizeof(${struct}.${field})`);
    }
  }
  tt.end();
});
