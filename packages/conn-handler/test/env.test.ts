/** mod_env's fixup in the child (handlers/env.ts); case http/setenv compares it with apache2. */
import t from 'tap';
import { applySetEnv } from '../src/handlers/env.js';

t.test('server variables, then each section: its UnsetEnv first, then its SetEnv; existing variables are kept', async (t) => {
  const env = new Map([['both', 'from-setenvif']]);
  applySetEnv(
    { vars: [['SRV', 's'], ['Both', 'from-setenv'], ['GONE', 'g']], unset: [] },
    [{}, { env: { vars: [['Dir', 'd']], unset: ['gone'] } }, { env: { vars: [['srv', 'again']], unset: [] } }],
    env,
  );
  t.same([...env], [['both', 'from-setenvif'], ['srv', 'again'], ['dir', 'd']]);
  const none = new Map<string, string>();
  applySetEnv(undefined, [], none);
  t.equal(none.size, 0);
});
