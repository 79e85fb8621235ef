/**
 * mod_setenvif's matching in the child (handlers/setenvif.ts). The answers are apache2's for
 * the same lines (case http/setenvif-require-env compares them live).
 */
import t from 'tap';
import { applySetEnvIf } from '../src/handlers/setenvif.js';
import type { SetEnvIfEntry } from '../src/config.js';
import { HeaderTable, type Request } from '../src/http/types.js';

function request(headers: Record<string, string>, uri = '/x', method = 'GET'): Request {
  const h = new HeaderTable();
  for (const [k, v] of Object.entries(headers)) h.add(k, v);
  return { method, uri, protocol: 'HTTP/1.1', headers: h } as unknown as Request;
}

const conn = { remoteAddr: '::ffff:127.0.0.1', localAddr: '127.0.0.1' };

function run(entries: SetEnvIfEntry[], req: Request, env = new Map<string, string>()): Map<string, string> {
  applySetEnvIf(entries, req, conn, env);
  return env;
}

t.test('a header matched by a regular expression sets variables, with $1 from the match', async (t) => {
  const e: SetEnvIfEntry = { attribute: 'User-Agent', regex: '^curl/([0-9]+)\\.([0-9]+)', icase: true, features: [['curl_major', '$1'], ['Curl_Minor', '$2'], ['seen', '1']] };
  const env = run([e], request({ 'user-agent': 'CURL/7.88.1' }));
  t.same([...env], [['curl_major', '7'], ['curl_minor', '88'], ['seen', '1']], 'names without case; NoCase matches CURL');
  t.same([...run([{ ...e, icase: false }], request({ 'User-Agent': 'CURL/7.88.1' }))], [], 'with case: no match');
});

t.test('a pattern without metacharacters is searched for as text, and its values are not substituted', async (t) => {
  const env = run([{ attribute: 'User-Agent', regex: 'Bot', literal: 'Bot', icase: false, features: [['v', '$1']] }], request({ 'User-Agent': 'a Bot b' }));
  t.same([...env], [['v', '$1']]);
});

t.test('special attributes; a missing header is the empty string, and falls back to a variable of that name', async (t) => {
  const entries: SetEnvIfEntry[] = [
    { attribute: 'Remote_Addr', regex: '^127\\.', icase: false, features: [['local', '1']] },
    { attribute: 'Request_URI', regex: '^/x$', icase: false, features: [['uri', '1']] },
    { attribute: 'Request_Method', regex: '^GET$', icase: false, features: [['get', '1']] },
    { attribute: 'X-None', regex: '^$', icase: false, features: [['empty', '1']] },
    { attribute: 'local', regex: '^1$', icase: false, features: [['chained', 'yes']] },
  ];
  t.same([...run(entries, request({}))], [['local', '1'], ['uri', '1'], ['get', '1'], ['empty', '1'], ['chained', 'yes']]);
});

t.test('a header-name regular expression takes the last matching header; ! unsets; SetEnvIfExpr never matches', async (t) => {
  const env = new Map([['gone', '1']]);
  run(
    [
      { attribute: '^X-T', attributeIsRegex: true, regex: '(.*)', icase: false, features: [['t', '$1'], ['gone', '!']] },
      { regex: '', icase: false, features: [['expr', '1']], expr: 'true' },
    ],
    request({ 'X-Ta': 'first', 'X-Tb': 'second' }),
    env,
  );
  t.same([...env], [['t', 'second']]);
});
