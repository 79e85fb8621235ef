import t from 'tap';
import { CHILD_ENV, type ChildBootstrap } from '@prefork/core';
import { childEnv } from '../src/children/make-child.js';

t.test("a child's environment: the master's, the bootstrap, no NODE_EXTRA_CA_CERTS", async (t) => {
  const bootstrap = { slot: 3 } as unknown as ChildBootstrap;
  const env = childEnv({ PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', LANG: 'C' }, bootstrap);
  t.equal(env['PATH'], '/bin');
  t.equal(env['LANG'], 'C');
  t.notOk('NODE_EXTRA_CA_CERTS' in env, 'the CA bundle is not parsed by every child');
  t.same(JSON.parse(env[CHILD_ENV] ?? '{}'), { slot: 3 });
});
