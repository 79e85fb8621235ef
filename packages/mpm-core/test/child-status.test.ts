import t from 'tap';
import { ChildExit } from '@prefork/core';
import { processChildStatus } from '../src/index.js';

const cases: Array<[string, Parameters<typeof processChildStatus>[0], ChildExit, string | undefined]> = [
  ['normal exit', { pid: 10, code: 0, signal: null }, ChildExit.OK, undefined],
  ['init failure is not special', { pid: 10, code: ChildExit.INIT, signal: null }, ChildExit.OK, undefined],
  ['sick', { pid: 10, code: ChildExit.SICK, signal: null }, ChildExit.SICK, undefined],
  ['fatal', { pid: 10, code: ChildExit.FATAL, signal: null }, ChildExit.FATAL, 'AH00050: Child 10 returned a Fatal error... Apache is exiting!'],
  ['SIGSEGV', { pid: 32103, code: null, signal: 'SIGSEGV' }, ChildExit.OK, 'AH00052: child pid 32103 exit signal Segmentation fault (11)'],
  ['SIGABRT', { pid: 32245, code: null, signal: 'SIGABRT' }, ChildExit.OK, 'AH00052: child pid 32245 exit signal Abort (6)'],
  ['SIGKILL not logged', { pid: 10, code: null, signal: 'SIGKILL' }, ChildExit.OK, undefined],
  ['SIGTERM not logged', { pid: 10, code: null, signal: 'SIGTERM' }, ChildExit.OK, undefined],
  ['SIGHUP not logged', { pid: 10, code: null, signal: 'SIGHUP' }, ChildExit.OK, undefined],
  ['SIGUSR1 not logged', { pid: 10, code: null, signal: 'SIGUSR1' }, ChildExit.OK, undefined],
];

for (const [name, exit, processed, line] of cases) {
  t.test(name, async (t) => {
    const r = processChildStatus(exit);
    t.equal(r.processed, processed);
    t.same(r.log.map((l) => `${l.id}: ${l.message}`), line ? [line] : []);
    if (line) t.equal(r.log[0].module, 'core', 'mpm_unix.c logs as core');
  });
}
